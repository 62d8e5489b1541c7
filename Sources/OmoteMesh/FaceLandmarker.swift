import OmoteCore
import OmoteNeural

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// MediaPipe's face landmark step: the region's rotated square warped to 256×256 (bilinear, zero border, u/255), the
/// landmark network, and its 478 points projected back to normalised frame coordinates (LandmarkProjection: rotate
/// about the crop centre by the region's rotation, scale by its size; z scaled like x), plus the face-presence score
/// (sigmoid of the presence logit). Allocates nothing per frame. Not thread-safe.
public final class FaceLandmarker {
    public static let inputSide = 256

    private let network: NeuralNetwork
    private let input: UnsafeMutableBufferPointer<Float>
    private let points: UnsafeBufferPointer<Float>
    private let presenceOutput: UnsafeBufferPointer<Float>
    /// Face presence of the last run, 0…1; MediaPipe keeps the face when it is ≥ 0.5.
    public private(set) var presence: Float = 0
    /// The presence logit of the last run (`presence` = sigmoid of it). On real faces the sigmoid saturates to 1 in
    /// float32, so margins are measured on the logit.
    public private(set) var presenceLogit: Float = 0

    /// `network` must be MediaPipe's face_landmarks_detector.tflite.
    public init(network: NeuralNetwork) throws(OmoteError) {
        guard network.inputs.count == 1, network.inputs[0].count == Self.inputSide * Self.inputSide * 3,
            let pointsIndex = network.outputIndex(named: "Identity"),
            let presenceIndex = network.outputIndex(named: "Identity_1"),
            network.outputs[pointsIndex].count == MeshLandmarks.count * 3,
            network.outputs[presenceIndex].count == 1
        else {
            throw OmoteError.meshModel(
                network.name,
                "it is not MediaPipe's face mesh network (256×256 input, "
                    + "outputs `Identity` 1434 and `Identity_1` 1)")
        }
        self.network = network
        input = network.input(0)
        points = network.output(pointsIndex)
        presenceOutput = network.output(presenceIndex)
    }

    /// Runs the network on `region` of `image` and writes the 478 landmarks into `landmarks`; returns the presence.
    @discardableResult
    public func locate(_ region: FaceRegion, in image: RGBImage, into landmarks: inout MeshLandmarks) -> Float {
        let side = Float(Self.inputSide)
        let pixelCentre = region.centre * SIMD2(Float(image.width), Float(image.height))
        let pixelSize = region.size * SIMD2(Float(image.width), Float(image.height))
        let c = cosf(region.rotation)
        let s = sinf(region.rotation)
        // Crop pixel (x, y) → image: centre + (x/256 − ½)·w·(cos, sin) + (y/256 − ½)·h·(−sin, cos).
        let ax = pixelSize.x / side
        let ay = pixelSize.y / side
        let sampler = AffineTensorSampler(
            row0: SIMD3(ax * c, -ay * s, pixelCentre.x - 0.5 * pixelSize.x * c + 0.5 * pixelSize.y * s),
            row1: SIMD3(ax * s, ay * c, pixelCentre.y - 0.5 * pixelSize.x * s - 0.5 * pixelSize.y * c)
        )
        sampler.fill(input, width: Self.inputSide, height: Self.inputSide, from: image, scale: 1 / 255, offset: 0)
        network.run()
        presenceLogit = presenceOutput[0]
        presence = 1 / (1 + expf(-presenceLogit))
        // One uniqueness check for the whole write, not one per point (the storage is private and copy-on-write).
        landmarks.withUnsafeMutableBufferPointer { target in
            var index = 0
            while index < target.count {
                let x = points[3 * index] / side - 0.5
                let y = points[3 * index + 1] / side - 0.5
                let z = points[3 * index + 2] / side
                let rotated = SIMD2(c * x - s * y, s * x + c * y)
                let projected = rotated * region.size + region.centre
                target[index] = SIMD3(projected.x, projected.y, z * region.size.x)
                index += 1
            }
        }
        return presence
    }
}
