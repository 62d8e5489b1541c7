import OmoteCapture
import OmoteCore

extension HeldStillJitter {
    /// Seeded grey-level noise: each pixel's R, G and B move by the same offset, uniform in −amplitude…amplitude,
    /// clamped to 0…255. SplitMix64 (Steele, Lea and Flood 2014): the same seed gives the same noise on every machine,
    /// so a jitter figure can be reproduced. Allocates nothing.
    public struct Noise: Sendable {
        public let amplitude: Int
        private var generator: SplitMix64
        /// Unused 16-bit chunks of the last 64-bit draw, and how many are left.
        private var bits: UInt64 = 0
        private var chunksLeft = 0

        public init(seed: UInt64, amplitude: Int = 2) {
            precondition(amplitude >= 0 && amplitude < 128, "a grey-level amplitude fits in a byte")
            generator = SplitMix64(seed: seed)
            self.amplitude = amplitude
        }

        /// The next pixel's offset. Four per draw: a 16-bit chunk scaled to 2·amplitude + 1 values (bias below 2⁻¹⁶).
        public mutating func nextOffset() -> Int {
            if chunksLeft == 0 {
                bits = generator.next()
                chunksLeft = 4
            }
            let chunk = bits & 0xFFFF
            bits >>= 16
            chunksLeft -= 1
            return Int((chunk * UInt64(2 * amplitude + 1)) >> 16) - amplitude
        }

        /// Writes `still` plus fresh noise into `noisy` (both private frame memory; `noisy` is reshaped to the still's
        /// size, so it should already hold that many pixels to allocate nothing).
        public mutating func add(to still: borrowing VideoFrame, into noisy: inout VideoFrame) throws(OmoteError) {
            let target = try noisy.reshape(width: still.width, height: still.height)
            still.withRGBImage { image in
                for row in 0 ..< image.height {
                    let source = image.pixels + row * image.rowStride
                    let destination = target + row * image.width * VideoFrame.bytesPerPixel
                    for pixel in 0 ..< image.width {
                        let offset = nextOffset()
                        for channel in 0 ..< VideoFrame.bytesPerPixel {
                            let at = pixel * VideoFrame.bytesPerPixel + channel
                            destination[at] = UInt8(clamping: Int(source[at]) + offset)
                        }
                    }
                }
            }
        }
    }
}
