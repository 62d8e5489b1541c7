import Foundation
import OmoteCapture
import OmoteCore
import OmoteSolver
import OmoteVision

/// Repository paths (inputs are read, never written).
enum SolverTestPaths {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static let singleFace = repositoryRoot + "/SampleFrames/single_face"
    /// dlib's own 68 landmarks on the SampleFrames (committed by the landmark reference tool, Tools/reference/dlib).
    static let dlibFaces = repositoryRoot + "/Tests/OmoteVisionTests/Fixtures/dlib-faces.tsv"
}

/// Deterministic noise (SplitMix64 + Box–Muller).
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Float { Float(next() >> 40) / Float(1 << 24) }
    mutating func gaussian() -> Float {
        let u1 = max(uniform(), 1e-7)
        let u2 = uniform()
        return (-2 * logf(u1)).squareRoot() * cosf(2 * .pi * u2)
    }
}

/// A camera, a posed synthetic face and a rendered luma image with eyes.
struct SyntheticScene {
    static let width = 640, height = 360
    var configuration = FaceSolverConfiguration()
    var focal: Float { configuration.focalLength(imageWidth: Self.width) }
    var principal: SIMD2<Float> { SIMD2(Float(Self.width - 1) / 2, Float(Self.height - 1) / 2) }

    static func pose(yawDegrees: Float, pitchDegrees: Float, rollDegrees: Float, translation: SIMD3<Float>) -> HeadPose
    {
        let (y, p, r) = (yawDegrees * .pi / 180, pitchDegrees * .pi / 180, rollDegrees * .pi / 180)
        // R = Rz(roll)·Ry(yaw)·Rx(pitch), columns.
        func mul(_ a: [[Float]], _ b: [[Float]]) -> [[Float]] {
            (0 ..< 3).map { i in (0 ..< 3).map { j in (0 ..< 3).reduce(0) { $0 + a[i][$1] * b[$1][j] } } }
        }
        let rz: [[Float]] = [[cosf(r), -sinf(r), 0], [sinf(r), cosf(r), 0], [0, 0, 1]]
        let ry: [[Float]] = [[cosf(y), 0, sinf(y)], [0, 1, 0], [-sinf(y), 0, cosf(y)]]
        let rx: [[Float]] = [[1, 0, 0], [0, cosf(p), -sinf(p)], [0, sinf(p), cosf(p)]]
        let m = mul(rz, mul(ry, rx))
        return HeadPose(
            rotation: Rotation3(
                SIMD3(m[0][0], m[1][0], m[2][0]), SIMD3(m[0][1], m[1][1], m[2][1]), SIMD3(m[0][2], m[1][2], m[2][2])),
            translation: translation)
    }

    /// Landmarks of the model face under `pose`, with Gaussian pixel noise of `noise` px.
    func landmarks(
        pose: HeadPose, weights: BlendshapeWeights, identity: [Float] = [], noise: Float = 0,
        random: inout TestRandom
    ) throws -> FaceLandmarks {
        let face = FaceModel.shape(weights: weights, identity: identity)
        var out = try FaceLandmarks()
        for k in 0 ..< 68 {
            let x = pose.rotate(face[k]) + pose.translation
            out[k] =
                SIMD2(x.x / x.z, x.y / x.z) * focal + principal + SIMD2(random.gaussian(), random.gaussian()) * noise
        }
        return out
    }

    /// A grey image with both eyes drawn inside their landmark rings: white sclera, a dark iris disc (radius 0.21 eye
    /// widths) displaced by `irisOffset` eye widths along the head's x (+ = subject's left) and y (+ = down).
    func image(landmarks: FaceLandmarks, irisOffset: SIMD2<Float>) -> [UInt8] {
        var pixels = [UInt8](repeating: 120, count: Self.width * Self.height)
        for ring in [[36, 37, 38, 39, 40, 41], [42, 43, 44, 45, 46, 47]] {
            let polygon = ring.map { landmarks[$0] }
            let minus = landmarks[ring[0]]
            let plus = landmarks[ring[3]]
            let axis = plus - minus
            let eyeWidth = (axis * axis).sum().squareRoot()
            let u = axis / eyeWidth
            let v = SIMD2<Float>(-u.y, u.x)
            let iris = (minus + plus) * 0.5 + (irisOffset.x * u + irisOffset.y * v) * eyeWidth
            let radius = 0.21 * eyeWidth
            let xs = polygon.map(\.x)
            let ys = polygon.map(\.y)
            for y in Int(ys.min()!) - 1 ... Int(ys.max()!) + 1 {
                for x in Int(xs.min()!) - 1 ... Int(xs.max()!) + 1 {
                    // 4×4 supersampling for anti-aliased edges (gradients need them).
                    var sum: Float = 0
                    for sy in 0 ..< 4 {
                        for sx in 0 ..< 4 {
                            let p = SIMD2(
                                Float(x) + (Float(sx) + 0.5) / 4 - 0.5, Float(y) + (Float(sy) + 0.5) / 4 - 0.5)
                            guard Self.inside(p, polygon) else {
                                sum += 120
                                continue
                            }
                            let d = p - iris
                            sum += (d * d).sum() < radius * radius ? 35 : 215
                        }
                    }
                    pixels[y * Self.width + x] = UInt8((sum / 16).rounded())
                }
            }
        }
        return pixels
    }

    static func inside(_ p: SIMD2<Float>, _ polygon: [SIMD2<Float>]) -> Bool {
        var result = false
        var j = polygon.count - 1
        for i in 0 ..< polygon.count {
            let a = polygon[i]
            let b = polygon[j]
            if (a.y > p.y) != (b.y > p.y), p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x { result.toggle() }
            j = i
        }
        return result
    }

    /// The horizontally mirrored landmarks: point k is point mirrorIndex[k] at x' = width − 1 − x.
    static func mirrored(_ landmarks: FaceLandmarks) throws -> FaceLandmarks {
        var out = try FaceLandmarks()
        for k in 0 ..< 68 {
            let p = landmarks[FaceModel.mirrorIndex[k]]
            out[k] = SIMD2(Float(width - 1) - p.x, p.y)
        }
        return out
    }

    static func mirrored(_ pixels: [UInt8]) -> [UInt8] {
        var out = pixels
        for y in 0 ..< height { for x in 0 ..< width { out[y * width + x] = pixels[y * width + width - 1 - x] } }
        return out
    }
}

func withLuma<R>(
    _ pixels: [UInt8], width: Int = SyntheticScene.width, height: Int = SyntheticScene.height,
    _ body: (LumaImage) throws -> R
) rethrows -> R {
    try pixels.withUnsafeBufferPointer {
        try body(LumaImage(pixels: $0.baseAddress!, width: width, height: height, rowStride: width))
    }
}

/// Rows of dlib-faces.tsv for one clip: frame index → 68 unrounded landmarks.
func dlibLandmarks(clip: String) throws -> [Int: FaceLandmarks] {
    let text = try String(contentsOfFile: SolverTestPaths.dlibFaces, encoding: .utf8)
    var lines = text.split(separator: "\n")
    let header = lines.removeFirst().split(separator: "\t").map(String.init)
    guard let clipColumn = header.firstIndex(of: "clip"), let frameColumn = header.firstIndex(of: "frame"),
        let pointsColumn = header.firstIndex(of: "points")
    else {
        throw FixtureError(reason: "\(SolverTestPaths.dlibFaces): header lacks clip/frame/points columns")
    }
    var result: [Int: FaceLandmarks] = [:]
    for line in lines {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard fields.count > pointsColumn, fields[clipColumn] == clip, let frame = Int(fields[frameColumn]) else {
            continue
        }
        let numbers = fields[pointsColumn].split(separator: " ").compactMap { Float($0) }
        guard numbers.count == 136 else {
            throw FixtureError(reason: "frame \(frame): \(numbers.count) coordinates, want 136")
        }
        result[frame] = try FaceLandmarks(points: (0 ..< 68).map { SIMD2(numbers[2 * $0], numbers[2 * $0 + 1]) })
    }
    return result
}

struct FixtureError: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}
