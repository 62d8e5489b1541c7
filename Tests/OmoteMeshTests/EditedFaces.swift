import OmoteMesh

/// MediaPipe's own landmarks (Fixtures/mediapipe) edited into expressions the blendshape network under-reports: the
/// jaw dropped, one eye shut. Edits move points along the face's own axes (from MediaPipe's facial transformation
/// matrix for the frame), so they are expression, not head pose.
enum EditedFaces {
    /// Outer eye corners: the face-size unit the drops are given in.
    static let eyeCorners = (33, 263)

    /// The frame's landmarks in pixel-scaled space (x·width, y·height, z·width: MediaPipe's z is on x's scale).
    static func pixels(_ points: [SIMD3<Float>]) -> [SIMD3<Float>] {
        let scale = SIMD3<Float>(
            Float(MediaPipeFixture.frameWidth), Float(MediaPipeFixture.frameHeight), Float(MediaPipeFixture.frameWidth))
        return points.map { $0 * scale }
    }

    static func normalised(_ points: [SIMD3<Float>]) -> [SIMD3<Float>] {
        let scale = SIMD3<Float>(
            Float(MediaPipeFixture.frameWidth), Float(MediaPipeFixture.frameHeight), Float(MediaPipeFixture.frameWidth))
        return points.map { $0 / scale }
    }

    /// The face's downward axis in pixel space (+x right, +y down, +z away from the camera), from the row-major
    /// matrix: its second column is the canonical +y (up) in MediaPipe's camera space (+y up, +z toward the viewer).
    static func faceDown(_ matrix: [Float]) -> SIMD3<Float> {
        let up = SIMD3(matrix[1], matrix[5], matrix[9])
        let down = SIMD3(-up.x, up.y, up.z)
        return down / (down * down).sum().squareRoot()
    }

    /// The mesh points below the mouth line of the canonical face (lower lip, chin, jaw line): what moves with the jaw.
    static func jawPoints(canonicalModel: [SIMD3<Float>]) -> [Int] {
        let mouthLine = (canonicalModel[13].y + canonicalModel[14].y) / 2
        return canonicalModel.indices.filter { canonicalModel[$0].y < mouthLine }
    }

    /// `frame` with the jaw points moved down the face by `drop` inter-ocular distances.
    static func jawDropped(_ frame: MediaPipeFixture.Frame, by drop: Float, jawPoints: [Int]) -> [SIMD3<Float>] {
        var points = pixels(frame.points)
        let corners = points[eyeCorners.1] - points[eyeCorners.0]
        let shift = faceDown(frame.matrix) * drop * (corners * corners).sum().squareRoot()
        for index in jawPoints { points[index] += shift }
        return normalised(points)
    }

    /// The face's axis towards the subject's left in pixel space: the matrix's first column (canonical +x).
    static func faceLeft(_ matrix: [Float]) -> SIMD3<Float> {
        let left = SIMD3(matrix[0], -matrix[4], -matrix[8])
        return left / (left * left).sum().squareRoot()
    }

    /// `frame` with both cheeks puffed: mesh points within 3 cm (canonical) of the lower cheeks 187 and 411 pushed
    /// outward by `offset` inter-ocular distances, tapering to nothing at 3 cm.
    static func cheeksPuffed(
        _ frame: MediaPipeFixture.Frame, by offset: Float, canonicalModel: [SIMD3<Float>]
    ) -> [SIMD3<Float>] {
        pushedOutward(frame, around: (left: 411, right: 187), within: 3, by: offset, canonicalModel: canonicalModel)
    }

    /// `frame` with both nostrils flared: the mesh points within 1 cm (canonical) of each nostril wing (358, 129)
    /// moved outward by `offset` inter-ocular distances, tapering to nothing at 1 cm.
    static func nostrilsFlared(
        _ frame: MediaPipeFixture.Frame, by offset: Float, canonicalModel: [SIMD3<Float>]
    ) -> [SIMD3<Float>] {
        pushedOutward(frame, around: (left: 358, right: 129), within: 1, by: offset, canonicalModel: canonicalModel)
    }

    /// `frame` with the mesh points within `radius` cm (canonical) of each side's `centres` point, on that side of the
    /// face, pushed outward (away from the midline) by `offset` inter-ocular distances, tapering to nothing at `radius`.
    static func pushedOutward(
        _ frame: MediaPipeFixture.Frame, around centres: (left: Int, right: Int), within radius: Float,
        by offset: Float,
        canonicalModel: [SIMD3<Float>]
    ) -> [SIMD3<Float>] {
        var points = pixels(frame.points)
        let corners = points[eyeCorners.1] - points[eyeCorners.0]
        let outward = faceLeft(frame.matrix) * offset * (corners * corners).sum().squareRoot()
        for (centre, side) in [(centres.left, Float(1)), (centres.right, -1)] {
            for index in 0 ..< MeshLandmarks.meshCount {
                let d = canonicalModel[index] - canonicalModel[centre]
                let distance = (d * d).sum().squareRoot()
                guard distance < radius, canonicalModel[index].x * side > 0 else { continue }
                points[index] += outward * side * (1 - distance / radius)
            }
        }
        return normalised(points)
    }

    /// The subject's left eye's upper lid (corners excluded), each above its lower-lid partner in `leftLowerLid`.
    static let leftUpperLid = [466, 388, 387, 386, 385, 384, 398]
    static let leftLowerLid = [249, 390, 373, 374, 380, 381, 382]
    static let rightUpperLid = [246, 161, 160, 159, 158, 157, 173]
    static let rightLowerLid = [7, 163, 144, 145, 153, 154, 155]

    /// `frame` with one eye shut: the upper lid moved onto the lower, keeping `remaining` of the opening.
    static func eyeShut(_ frame: MediaPipeFixture.Frame, left: Bool, remaining: Float = 0.05) -> [SIMD3<Float>] {
        var points = frame.points
        let (upper, lower) = left ? (leftUpperLid, leftLowerLid) : (rightUpperLid, rightLowerLid)
        for (top, bottom) in zip(upper, lower) {
            points[top] = points[bottom] + remaining * (points[top] - points[bottom])
        }
        return points
    }

    /// `frame` with both eyes opened wider: each upper lid point moved away from its lower partner to `factor` times
    /// the opening.
    static func eyesWidened(_ frame: MediaPipeFixture.Frame, factor: Float) -> [SIMD3<Float>] {
        var points = frame.points
        for (top, bottom) in zip(leftUpperLid + rightUpperLid, leftLowerLid + rightLowerLid) {
            points[top] = points[bottom] + factor * (points[top] - points[bottom])
        }
        return points
    }

    /// Landmarks in fresh private memory.
    static func landmarks(_ points: [SIMD3<Float>]) -> MeshLandmarks {
        let landmarks = try! MeshLandmarks()
        for (index, point) in points.enumerated() { landmarks[index] = point }
        return landmarks
    }
}
