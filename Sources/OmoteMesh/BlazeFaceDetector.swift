import OmoteCore
import OmoteNeural

/// BlazeFace short range over a whole frame, as MediaPipe's face detector graph runs it: the frame scaled to fit
/// 128×128 with its aspect ratio kept (the square of side max(width, height) about its centre maps onto the input;
/// outside the frame reads as 0, i.e. -1.0), RGB bytes as u·2/255 − 1, then `FaceDetectionDecoder`.
/// Allocates nothing per frame. Not thread-safe.
public final class BlazeFaceDetector {
    public static let inputSide = 128

    public let decoder = FaceDetectionDecoder()
    private let network: NeuralNetwork
    private let input: UnsafeMutableBufferPointer<Float>
    private let regressors: UnsafeBufferPointer<Float>
    private let logits: UnsafeBufferPointer<Float>

    /// `network` must be MediaPipe's face_detector.tflite (BlazeFace short range).
    public init(network: NeuralNetwork) throws(OmoteError) {
        guard network.inputs.count == 1, network.inputs[0].count == Self.inputSide * Self.inputSide * 3,
            let regressorsIndex = network.outputIndex(named: "regressors"),
            let logitsIndex = network.outputIndex(named: "classificators"),
            network.outputs[regressorsIndex].count == FaceDetectionDecoder.anchorCount
                * FaceDetectionDecoder.valuesPerAnchor,
            network.outputs[logitsIndex].count == FaceDetectionDecoder.anchorCount
        else {
            throw OmoteError.meshModel(
                network.name,
                "it is not BlazeFace short range (128×128 input, outputs "
                    + "`regressors` 896×16 and `classificators` 896)")
        }
        self.network = network
        input = network.input(0)
        regressors = network.output(regressorsIndex)
        logits = network.output(logitsIndex)
    }

    /// Detects faces in `image`; the result (best first, normalised frame coordinates) stays valid until the next call.
    public func detect(_ image: RGBImage) throws(OmoteError) -> [FaceDetection] {
        let side = Float(max(image.width, image.height))
        let step = side / Float(Self.inputSide)
        let sampler = AffineTensorSampler(
            row0: SIMD3(step, 0, Float(image.width) / 2 - side / 2),
            row1: SIMD3(0, step, Float(image.height) / 2 - side / 2)
        )
        sampler.fill(input, width: Self.inputSide, height: Self.inputSide, from: image, scale: 2 / 255, offset: -1)
        network.run()
        try decoder.decode(
            regressors: regressors, logits: logits,
            letterbox: Letterbox(frameWidth: image.width, frameHeight: image.height))
        return decoder.detections
    }
}
