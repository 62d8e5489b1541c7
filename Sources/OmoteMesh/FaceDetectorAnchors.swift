/// The 896 SSD anchor centres of BlazeFace short range, as MediaPipe's SsdAnchorsCalculator generates them for the
/// face detector graph's options: 128×128 input, 4 layers with strides 8, 16, 16, 16, offsets 0.5, aspect ratio 1
/// plus one interpolated scale per layer (2 anchors per layer and cell), fixed anchor size (width = height = 1, so
/// only the centres matter). Consecutive layers of equal stride share one grid: 16×16 cells × 2 anchors, then
/// 8×8 cells × 6 anchors.
enum FaceDetectorAnchors {
    static let inputSize = 128
    static let strides = [8, 16, 16, 16]
    static let anchorsPerLayer = 2

    static func centres() -> [SIMD2<Float>] {
        var centres: [SIMD2<Float>] = []
        var layer = 0
        while layer < strides.count {
            var sameStride = layer
            while sameStride < strides.count, strides[sameStride] == strides[layer] {
                sameStride += 1
            }
            let anchorsPerCell = (sameStride - layer) * anchorsPerLayer
            // MediaPipe: ceil(input size / stride).
            let cells = (inputSize + strides[layer] - 1) / strides[layer]
            for y in 0 ..< cells {
                for x in 0 ..< cells {
                    let centre = SIMD2((Float(x) + 0.5) / Float(cells), (Float(y) + 0.5) / Float(cells))
                    for _ in 0 ..< anchorsPerCell {
                        centres.append(centre)
                    }
                }
            }
            layer = sameStride
        }
        return centres
    }
}
