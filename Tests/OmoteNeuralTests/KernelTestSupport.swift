import OmoteCore
import Testing

@testable import OmoteNeural

/// The seeded generator (SplitMix64), so every run of a kernel test sees the same "random" tensors and a failure
/// reproduces.
typealias SeededGenerator = SplitMix64

extension SplitMix64 {
    mutating func floats(_ count: Int, in range: ClosedRange<Float> = -1 ... 1) -> [Float] {
        (0 ..< count).map { _ in Float.random(in: range, using: &self) }
    }
}

/// Floats for a kernel to read or write, laid out like the engine's buffers: 64-byte aligned, with slack past the end
/// (vector loads at a channel tail read into it). The slack holds a sentinel, so a store past the end is caught.
final class KernelBuffer {
    static let slack = 64
    static let sentinel: Float = 12345.5

    let count: Int
    let pointer: UnsafeMutablePointer<Float>

    init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: (count + Self.slack) * 4, alignment: 64)
        pointer = raw.initializeMemory(as: Float.self, repeating: Self.sentinel, count: count + Self.slack)
        pointer.update(repeating: 0, count: count)
    }

    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        pointer.update(from: values, count: values.count)
    }

    var values: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    var slackUntouched: Bool { (count ..< count + Self.slack).allSatisfy { pointer[$0] == Self.sentinel } }

    deinit { pointer.deallocate() }
}

/// Activations as the convolution epilogue, the depthwise kernel and the reference take them: a slope per channel
/// for negative values.
enum SlopeActivation: CaseIterable {
    case none, relu, prelu

    /// Slopes for `channels`, padded to 16 as the planner pads them.
    func slopes(_ channels: Int, _ random: inout SeededGenerator) -> [Float] {
        let padded = (channels + 15) / 16 * 16
        switch self {
        case .none: return Array(repeating: 1, count: padded)
        case .relu: return Array(repeating: 0, count: padded)
        case .prelu: return random.floats(channels, in: 0.05 ... 0.5) + Array(repeating: 0, count: padded - channels)
        }
    }
}

/// The scalar reference for a leaky activation.
func leakyReference(_ value: Double, slope: Float) -> Double { value < 0 ? value * Double(slope) : value }

/// Checks `actual` against a double-precision reference: each element within `tolerance` relative to `scale` (the
/// sum of the magnitudes that made it, so a result that cancels to near zero is not held to an impossible bound).
/// Reports the worst element only, so one broken tile is one failure, not thousands.
func expectClose(
    _ actual: [Float], _ expected: [Double], scale: [Double]? = nil, tolerance: Double = 1e-5,
    _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)",
        sourceLocation: sourceLocation)
    var worst = (index: -1, error: 0.0)
    for index in 0 ..< min(actual.count, expected.count) {
        let magnitude = max(abs(expected[index]), scale?[index] ?? 0, 1e-30)
        let error = abs(Double(actual[index]) - expected[index]) / magnitude
        if error.isNaN {
            worst = (index, .infinity)
            break
        }
        if error > worst.error {
            worst = (index, error)
        }
    }
    if worst.index >= 0 {
        #expect(
            worst.error <= tolerance,
            "\(what): element \(worst.index) is \(actual[worst.index]), expected \(expected[worst.index])",
            sourceLocation: sourceLocation)
    }
}

/// A square-window kernel case (depthwise, max pool): input size, channels, kernel, stride, padding, activation.
struct WindowCase<Activation: Sendable>: CustomTestStringConvertible, Sendable {
    var height: Int
    var width: Int
    var channels: Int
    var kernel: Int
    var stride: Int
    var same: Bool
    var activation: Activation

    var testDescription: String {
        "\(height)×\(width)×\(channels) \(kernel)×\(kernel)/\(stride) \(same ? "SAME" : "VALID") \(activation)"
    }

    /// `windowTaps` over this case's input, kernel and stride.
    func taps(y: Int, x: Int, padTop: Int, padLeft: Int) -> [(ky: Int, kx: Int, sy: Int, sx: Int)] {
        windowTaps(
            y: y, x: x, kernel: kernel, stride: stride, padTop: padTop, padLeft: padLeft, height: height, width: width)
    }
}

/// The taps of a square `kernel` window at output pixel (y, x) that land inside a height×width input: the kernel
/// position and the input pixel, padding skipped, as the scalar references walk them.
func windowTaps(
    y: Int, x: Int, kernel: Int, stride: Int, padTop: Int, padLeft: Int, height: Int, width: Int
) -> [(ky: Int, kx: Int, sy: Int, sx: Int)] {
    var taps: [(ky: Int, kx: Int, sy: Int, sx: Int)] = []
    for ky in 0 ..< kernel {
        for kx in 0 ..< kernel {
            let (sy, sx) = (y * stride + ky - padTop, x * stride + kx - padLeft)
            if sy >= 0, sy < height, sx >= 0, sx < width { taps.append((ky, kx, sy, sx)) }
        }
    }
    return taps
}

/// A scalar reference over every output element (rows, columns, then channels): `element(y, x, channel)` gives its
/// value and the sum of the magnitudes that made it, the scale `expectClose` judges it by.
func referenceOutput(
    height: Int, width: Int, channels: Int, _ element: (Int, Int, Int) -> (value: Double, magnitude: Double)
) -> (expected: [Double], scale: [Double]) {
    var expected: [Double] = []
    var scale: [Double] = []
    for y in 0 ..< height {
        for x in 0 ..< width {
            for channel in 0 ..< channels {
                let (value, magnitude) = element(y, x, channel)
                expected.append(value)
                scale.append(magnitude)
            }
        }
    }
    return (expected, scale)
}

extension Activation {
    /// The activation a test case names ("relu", "relu6", "prelu" with `slopes`; anything else is none).
    static func named(_ name: String, slopes: KernelBuffer) -> Activation {
        switch name {
        case "relu": .relu
        case "relu6": .relu6
        case "prelu": .prelu(UnsafePointer(slopes.pointer))
        default: .none
        }
    }
}
