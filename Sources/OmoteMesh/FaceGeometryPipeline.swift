import OmoteCore
import OmoteNeural

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// MediaPipe's face geometry pipeline (mediapipe/modules/face_geometry/libs/geometry_pipeline.cc), landmarks →
/// facial transformation matrix: project the normalised landmarks onto the near plane of a perspective camera,
/// estimate the canonical-to-runtime scale by weighted Procrustes on those, unproject with it, estimate again,
/// unproject with the product of both scales, and solve the final weighted Procrustes of the canonical face onto the
/// metric
/// landmarks. Buffers are sized at init; `estimate` allocates nothing. Not thread-safe.
public final class FaceGeometryPipeline {
    /// MediaPipe's default environment for the Face Landmarker task: a 63° vertical field of view, near plane 1 cm,
    /// origin at the image's top-left corner.
    public struct PerspectiveCamera: Sendable {
        public var verticalFieldOfViewDegrees: Float = 63
        public var near: Float = 1
        public var far: Float = 10_000
        public init() {}
    }

    /// The camera the landmarks are unprojected with; change it when the field of view is known.
    public var camera: PerspectiveCamera
    /// The canonical face model's 468 points (cm): also the neutral reference of the geometric blendshape measures.
    let canonical: [SIMD3<Float>]
    private let weights: [Float]
    /// The landmarks in metric camera space while the pipeline runs: expression data, so private memory.
    private let screen: RigidPrivateBuffer<SIMD3<Float>>
    /// After `estimate`, the landmarks in metric camera space (what the final Procrustes fitted).
    let working: RigidPrivateBuffer<SIMD3<Float>>

    /// Reads the canonical face and weights from the face_landmarker.task at `taskPath`.
    public convenience init(
        taskPath: String = FaceLandmarkerNetworks.defaultPath(),
        camera: PerspectiveCamera = PerspectiveCamera()
    ) throws(OmoteError) {
        let subject = taskPath + ":" + GeometryPipelineMetadata.member
        let bytes = try FaceLandmarkerNetworks.member(GeometryPipelineMetadata.member, archivePath: taskPath)
        try self.init(metadata: bytes, subject: subject, camera: camera)
    }

    /// From the bytes of `geometry_pipeline_metadata_landmarks.binarypb`; `subject` names them in errors.
    package init(
        metadata: [UInt8],
        subject: String,
        camera: PerspectiveCamera = PerspectiveCamera()
    ) throws(OmoteError) {
        // Array's withUnsafeBytes rethrows untyped; a Result carries the typed error out of it.
        let parsed = try metadata.withUnsafeBytes { bytes in
            Result { () throws(OmoteError) in try GeometryPipelineMetadata(bytes: bytes, subject: subject) }
        }.get()
        guard camera.near > 0, camera.far > camera.near, camera.verticalFieldOfViewDegrees > 0,
            camera.verticalFieldOfViewDegrees < 180
        else {
            throw OmoteError(
                .meshInputInvalid,
                operation: "set up the face geometry camera",
                subject: "",
                reason: "near \(camera.near), far \(camera.far), field of view \(camera.verticalFieldOfViewDegrees)°",
                remedy: "Use 0 < near < far and a field of view between 0° and 180°."
            )
        }
        self.camera = camera
        canonical = parsed.canonicalPositions
        weights = parsed.landmarkWeights
        screen = try RigidPrivateBuffer(count: MeshLandmarks.meshCount)
        working = try RigidPrivateBuffer(count: MeshLandmarks.meshCount)
    }

    /// The facial transformation matrix for `landmarks` on a `frameWidth`×`frameHeight` frame; nil when MediaPipe
    /// would drop the face (landmarks too compact, within 1e-3 of their mean) or the fit is degenerate.
    public func estimate(
        _ landmarks: borrowing MeshLandmarks,
        frameWidth: Int,
        frameHeight: Int
    ) throws(OmoteError) -> FacialTransformationMatrix? {
        try OmoteError.requireMeshInput(
            landmarks, frameWidth: frameWidth, frameHeight: frameHeight, operation: "estimate the head pose")
        if Self.isTooCompact(landmarks) {
            return nil
        }
        let frustum = Frustum(camera, width: frameWidth, height: frameHeight)
        let transform = canonical.withUnsafeBufferPointer { canonical in
            weights.withUnsafeBufferPointer { weights in
                Self.convert(landmarks.points, frustum, screen.view, working.view, canonical, weights)
            }
        }
        guard let transform else { return nil }
        return Self.matrix(transform)
    }

    /// The near-plane rectangle of the perspective camera, as MediaPipe's PerspectiveCameraFrustum.
    struct Frustum {
        let left: Float
        let right: Float
        let bottom: Float
        let top: Float
        let near: Float

        init(_ camera: PerspectiveCamera, width: Int, height: Int) {
            let degreesToRadians = Float.pi / 180
            let heightAtNear = 2 * camera.near * tanf(0.5 * degreesToRadians * camera.verticalFieldOfViewDegrees)
            let widthAtNear = Float(width) * heightAtNear / Float(height)
            left = -0.5 * widthAtNear
            right = 0.5 * widthAtNear
            bottom = -0.5 * heightAtNear
            top = 0.5 * heightAtNear
            near = camera.near
        }
    }

    private static func convert(
        _ points: MemoryView<SIMD3<Float>>,
        _ frustum: Frustum,
        _ screen: MemoryView<SIMD3<Float>>,
        _ working: MemoryView<SIMD3<Float>>,
        _ canonical: UnsafeBufferPointer<SIMD3<Float>>,
        _ weights: UnsafeBufferPointer<Float>
    ) -> SimilarityTransform? {
        let count = screen.count
        // Project x, y onto the near plane (y flipped: the origin is the top-left corner); z scales like x.
        let width = frustum.right - frustum.left
        let scale = SIMD3<Float>(width, frustum.top - frustum.bottom, width)
        let offset = SIMD3<Float>(frustum.left, frustum.bottom, 0)
        var depthSum: Float = 0
        var index = 0
        while index < count {
            let p = points[index]
            screen[index] = SIMD3(p.x, 1 - p.y, p.z) * scale + offset
            depthSum += screen[index].z
            index += 1
        }
        let depthOffset = depthSum / Float(count)

        // First pass: the projected points as they are (handedness flipped), only for the scale.
        index = 0
        while index < count {
            working[index] = screen[index] * SIMD3(1, 1, -1)
            index += 1
        }
        guard
            let first = WeightedProcrustes.solve(
                source: canonical, target: UnsafeBufferPointer(working.buffer),
                weights: weights)
        else { return nil }
        let firstScale = Float(first.scale)

        // Second pass: unproject with the first scale, estimate the scale again.
        unproject(screen, into: working, frustum, depthOffset, firstScale)
        guard
            let second = WeightedProcrustes.solve(
                source: canonical, target: UnsafeBufferPointer(working.buffer),
                weights: weights)
        else { return nil }

        // Final: unproject with the product of both scales; the pose is the Procrustes fit onto these.
        unproject(screen, into: working, frustum, depthOffset, firstScale * Float(second.scale))
        return WeightedProcrustes.solve(
            source: canonical, target: UnsafeBufferPointer(working.buffer), weights: weights)
    }

    /// MediaPipe's MoveAndRescaleZ, UnprojectXY and ChangeHandedness: z ← (z − offset + near) / scale,
    /// x, y ← x, y · z / near, then z ← −z.
    private static func unproject(
        _ screen: MemoryView<SIMD3<Float>>,
        into output: MemoryView<SIMD3<Float>>,
        _ frustum: Frustum,
        _ depthOffset: Float,
        _ scale: Float
    ) {
        var index = 0
        while index < screen.count {
            let p = screen[index]
            let z = (p.z - depthOffset + frustum.near) / scale
            output[index] = SIMD3(p.x * z / frustum.near, p.y * z / frustum.near, -z)
            index += 1
        }
    }

    /// MediaPipe's IsScreenLandmarkListTooCompact: every landmark within 1e-3 of the x, y mean.
    private static func isTooCompact(_ landmarks: borrowing MeshLandmarks) -> Bool {
        landmarks.withUnsafeBufferPointer { points in
            var mean = SIMD2<Float>()
            var index = 0
            while index < points.count {
                mean += (SIMD2(points[index].x, points[index].y) - mean) / Float(index + 1)
                index += 1
            }
            var largest: Float = 0
            index = 0
            while index < points.count {
                let d = SIMD2(points[index].x, points[index].y) - mean
                largest = max(largest, (d * d).sum())
                index += 1
            }
            return largest.squareRoot() <= 1e-3
        }
    }

    private static func matrix(_ t: SimilarityTransform) -> FacialTransformationMatrix {
        func column(_ k: Int) -> SIMD4<Float> {
            SIMD4(Float(t.scaledRotation[0, k]), Float(t.scaledRotation[1, k]), Float(t.scaledRotation[2, k]), 0)
        }
        let translation = SIMD4<Float>(Float(t.translation.x), Float(t.translation.y), Float(t.translation.z), 1)
        return FacialTransformationMatrix(columns: (column(0), column(1), column(2), translation))
    }
}

extension FaceGeometryPipeline {
    /// What the metadata holds, for tests and diagnostics: the canonical vertices and how many carry weight.
    package static func canonicalFacts(metadata: [UInt8]) throws(OmoteError)
        -> (vertexCount: Int, positions: [SIMD3<Float>], weightedCount: Int)
    {
        let pipeline = try FaceGeometryPipeline(metadata: metadata, subject: "metadata")
        return (pipeline.canonical.count, pipeline.canonical, pipeline.weights.filter { $0 > 0 }.count)
    }
}
