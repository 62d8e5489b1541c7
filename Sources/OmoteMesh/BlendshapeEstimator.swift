import OmoteCore
import OmoteNeural

/// MediaPipe's blendshape step: the 146-point landmark subset in frame pixels through the blendshape network, its 52
/// scores (`_neutral` first, then ARKit's first 51 shapes in ARKit order) mapped to `BlendshapeWeights`.
/// tongueOut is not among the 52: MediaPipe's `kBlendshapeNames` (tasks/cc/vision/face_landmarker/
/// face_blendshapes_graph.cc) ends at noseSneerRight, although the Blendshape V2 model card lists tongueOut
/// (google-ai-edge/mediapipe issue #4403, open). So tongueOut is always 0 and its `trackedMask` bit clear.
/// Allocates nothing per frame. Not thread-safe (one network run at a time).
public final class BlendshapeEstimator {
    /// The network's input is [1, 146, 2]; its output 52 scores.
    static let scoreCount = 52

    private let network: NeuralNetwork
    /// The network's buffers, fetched once: `input(_:)`/`output(_:)` compute the tensor size and allocate doing so
    /// in debug builds; the buffers themselves never move.
    private let input: UnsafeMutableBufferPointer<Float>
    private let scores: UnsafeBufferPointer<Float>
    /// MediaPipe's `_neutral` score of the last run (not an ARKit shape; kept for diagnostics).
    public private(set) var neutralScore: Float = 0

    /// `network` must be MediaPipe's face_blendshapes.tflite as planned by `FaceLandmarkerNetworks`.
    public init(network: NeuralNetwork) throws(OmoteError) {
        let inputCount = network.inputs.first?.count ?? 0
        let outputCount = network.outputs.first?.count ?? 0
        guard network.inputs.count == 1, inputCount == BlendshapeLandmarkSubset.indices.count * 2,
            outputCount == Self.scoreCount
        else {
            throw OmoteError.meshModel(
                network.name,
                "the blendshape network takes \(inputCount) values and gives \(outputCount); expected 292 and 52"
            )
        }
        self.network = network
        input = network.input(0)
        scores = network.output(0)
    }

    /// Runs the network on `landmarks` of a `frameWidth`×`frameHeight` frame and writes the 51 shapes it scores into
    /// `weights`; tongueOut (no score for it) is set to 0 and left out of `trackedMask`.
    public func estimate(
        _ landmarks: borrowing MeshLandmarks,
        frameWidth: Int,
        frameHeight: Int,
        into weights: inout BlendshapeWeights
    ) throws(OmoteError) {
        try OmoteError.requireMeshInput(
            landmarks, frameWidth: frameWidth, frameHeight: frameHeight, operation: "estimate blendshapes")
        fillInput(landmarks, width: Float(frameWidth), height: Float(frameHeight))
        network.run()
        neutralScore = scores[0]
        var index = 0
        while index < Self.scoreCount - 1 {
            weights.values[index] = scores[index + 1]
            index += 1
        }
        weights.values[ARKitBlendshape.tongueOut.rawValue] = 0
        weights.trackedMask = (1 << UInt64(Self.scoreCount - 1)) - 1
    }

    /// MediaPipe's LandmarksToTensor with the image size: x·width, y·height in float32 (z unused).
    /// Plain indexed loops: closures here cost heap allocations in debug builds.
    private func fillInput(_ landmarks: borrowing MeshLandmarks, width: Float, height: Float) {
        let indices = BlendshapeLandmarkSubset.indices
        var slot = 0
        while slot < indices.count {
            let point = landmarks[indices[slot]]
            input[2 * slot] = point.x * width
            input[2 * slot + 1] = point.y * height
            slot += 1
        }
    }
}
