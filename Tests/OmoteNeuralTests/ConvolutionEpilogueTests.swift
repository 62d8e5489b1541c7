import Testing

@testable import OmoteNeural

/// `ConvolutionEpilogue.finish` against its definition: activation (as slopes), the residual (its missing channels
/// read as zeros), the second activation, stored to exactly `lanes` lanes.
@Suite struct ConvolutionEpilogueTests {
    @Test(
        "finish equals activation, residual, activation", arguments: SlopeActivation.allCases,
        SlopeActivation.allCases)
    func matchesDefinition(_ first: SlopeActivation, _ second: SlopeActivation) {
        var random = SeededGenerator(seed: 9)
        let channels = 21
        let pixels = 3
        let slopes = KernelBuffer(first.slopes(channels, &random))
        let slopesAfter = KernelBuffer(second.slopes(channels, &random))
        // Residual widths: none, all channels, fewer (a fused zero-channel PAD), fewer than one vector past `channel`.
        for residualChannels in [nil, 21, 13, 4] as [Int?] {
            let residual = residualChannels.map { KernelBuffer(random.floats(pixels * $0, in: -2 ... 2)) }
            let epilogue = ConvolutionEpilogue(
                slopes: slopes.pointer, residual: residual.map { UnsafePointer($0.pointer) },
                residualChannels: residualChannels ?? 0, slopesAfterResidual: slopesAfter.pointer, channels: channels)
            for pixel in 0 ..< pixels {
                for channel in stride(from: 0, to: channels, by: 8) {
                    let lanes = min(8, channels - channel)
                    let accumulator = SIMD8<Float>(random.floats(8, in: -2 ... 2))
                    let output = KernelBuffer(count: lanes)
                    epilogue.finish(accumulator, pixel: pixel, channel: channel, lanes: lanes, output: output.pointer)
                    var expected: [Double] = []
                    for lane in 0 ..< lanes {
                        let c = channel + lane
                        var value = leakyReference(Double(accumulator[lane]), slope: slopes.pointer[c])
                        if let residual, let residualChannels {
                            if c < residualChannels {
                                value += Double(residual.pointer[pixel * residualChannels + c])
                            }
                            value = leakyReference(value, slope: slopesAfter.pointer[c])
                        }
                        expected.append(value)
                    }
                    expectClose(
                        output.values, expected, scale: Array(repeating: 4, count: lanes),
                        "\(first)/\(second) residual \(residualChannels.map(String.init) ?? "-") pixel \(pixel) "
                            + "channel \(channel)")
                    #expect(output.slackUntouched, "stored past \(lanes) lanes")
                }
            }
        }
    }
}
