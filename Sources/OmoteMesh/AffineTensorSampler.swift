import OmoteCore

/// Fills a network's float input (H × W × 3, RGB) from an image through an affine map, as MediaPipe's CPU
/// ImageToTensor does with OpenCV's warpAffine/warpPerspective: output pixel (x, y) reads the image at
/// (a·x + b·y + c, d·x + e·y + f) with bilinear interpolation, pixels outside the image read as 0, the result is
/// rounded to a byte u (OpenCV warps u8 images to u8), and u becomes u·scale + offset in float32. (OpenCV quantises
/// positions to 1/32 px; this samples exactly, which differs by well under a level per pixel.)
///
/// `fill` works on eight output pixels at a time and gives bit for bit what `fillReference` (one pixel at a time)
/// gives: the same products summed in the same order, no fused multiply-adds.
struct AffineTensorSampler {
    /// Image position of output pixel (x, y): `row0 · (x, y, 1)`, `row1 · (x, y, 1)`.
    var row0: SIMD3<Float>
    var row1: SIMD3<Float>

    func fill(
        _ tensor: UnsafeMutableBufferPointer<Float>,
        width: Int,
        height: Int,
        from image: RGBImage,
        scale: Float,
        offset: Float
    ) {
        precondition(tensor.count >= width * height * 3)
        // Byte offsets are computed in Int32 lanes and pixel indices in float mantissas (exact below 2²³): images
        // beyond that (none a camera gives) take the one-pixel path.
        guard width >= 8, image.rowStride * image.height < Int(Int32.max), image.width < 1 << 23,
            image.height < 1 << 23, let output = tensor.baseAddress
        else {
            fillReference(tensor, width: width, height: height, from: image, scale: scale, offset: offset)
            return
        }
        let maxX = image.width - 1
        let maxY = image.height - 1
        let lanes = SIMD8<Float>(0, 1, 2, 3, 4, 5, 6, 7)
        let a = SIMD8<Float>(repeating: row0.x)
        let d = SIMD8<Float>(repeating: row1.x)
        let c = SIMD8<Float>(repeating: row0.z)
        let f = SIMD8<Float>(repeating: row1.z)
        let maxXs = SIMD8<Float>(repeating: Float(maxX))
        let maxYs = SIMD8<Float>(repeating: Float(maxY))
        let zero = SIMD8<Float>()
        let minusOne = SIMD8<Float>(repeating: -1)
        // x0 and y0 of an inside block are whole numbers in [0, 2²³): in 2²³ + v the low mantissa bits are v.
        let magic = SIMD8<Float>(repeating: 8_388_608)
        let mantissa = SIMD8<Int32>(repeating: 0x7F_FFFF)
        let rowStride = SIMD8<Int32>(repeating: Int32(image.rowStride))
        let scales = SIMD8<Float>(repeating: scale)
        let offsets = SIMD8<Float>(repeating: offset)
        // A pixel whose four taps all fall outside reads 0 and becomes 0·scale + offset.
        let outside = SIMD8<Float>(repeating: 0 * scale + offset)
        let pixels = UnsafeRawPointer(image.pixels)
        let rowBytes = image.rowStride
        // Up to 4 blocks of 8 pixels at a time, in four passes through a small stack scratch: positions, the taps'
        // bytes (scalar loads), the arithmetic (vectors), the interleaving into RGB. Gathering straight into vector
        // lanes, or interleaving straight from the arithmetic, let LLVM scalarise the arithmetic (2–4× slower).
        // One vector more than the 7 parts: the byte loads of the last part read up to 3 bytes past it.
        withUnsafeTemporaryAllocation(of: SIMD8<UInt32>.self, capacity: 7 * Self.blocks + 1) { scratch in
            // Zeroed once so that those bytes are never uninitialised memory.
            scratch.initialize(repeating: SIMD8())
            let scratch = UnsafeMutableRawPointer(scratch.baseAddress!)
            // Parts of `Self.blocks` vectors: byte offsets, fx, fy, then the words at +0, +2, +rowStride, +rowStride+2.
            let block = 32
            let part = block * Self.blocks
            var y = 0
            while y < height {
                // The reference sums row · (x, y, 1) left to right: (a·x + b·y) + c.
                let by = SIMD8<Float>(repeating: row0.y * Float(y))
                let ey = SIMD8<Float>(repeating: row1.y * Float(y))
                var x = 0
                while x < width {
                    let count = min(Self.blocks, (width - x + 7) / 8)
                    // The last block of a row not a multiple of 8 wide overlaps the one before: same values rewritten.
                    @inline(__always) func start(_ k: Int) -> Int { min(x + 8 * k, width - 8) }
                    var inside: UInt32 = 0
                    var outsideAll: UInt32 = 0
                    var k = 0
                    while k < count {
                        let xs = lanes + SIMD8(repeating: Float(start(k)))
                        let sx = (a * xs + by) + c
                        let sy = (d * xs + ey) + f
                        let x0 = sx.rounded(.down)
                        let y0 = sy.rounded(.down)
                        if all((x0 .>= zero) .& (x0 .< maxXs) .& (y0 .>= zero) .& (y0 .< maxYs)) {
                            inside |= 1 << k
                            let column = unsafeBitCast(x0 + magic, to: SIMD8<Int32>.self) & mantissa
                            let row = unsafeBitCast(y0 + magic, to: SIMD8<Int32>.self) & mantissa
                            scratch.storeBytes(
                                of: row &* rowStride &+ column &* 3, toByteOffset: block * k, as: SIMD8<Int32>.self)
                            scratch.storeBytes(of: sx - x0, toByteOffset: part + block * k, as: SIMD8<Float>.self)
                            scratch.storeBytes(of: sy - y0, toByteOffset: 2 * part + block * k, as: SIMD8<Float>.self)
                        } else if all((x0 .< minusOne) .| (x0 .> maxXs) .| (y0 .< minusOne) .| (y0 .> maxYs)) {
                            outsideAll |= 1 << k
                        }
                        k += 1
                    }
                    // Each tap pair (x0, x0 + 1) of a row is 6 bytes, read as two 32-bit words at +0 and +2: never
                    // past the pair, so never past the image's end.
                    k = 0
                    while k < count {
                        if inside & 1 << k != 0 {
                            for lane in 0 ..< 8 {
                                // Wrapping arithmetic: every index here is small (checked above), no overflow traps.
                                let at = block &* k &+ 4 &* lane
                                let top = Int(scratch.load(fromByteOffset: at, as: Int32.self))
                                @inline(__always) func copy(_ delta: Int, _ slot: Int) {
                                    let word = pixels.loadUnaligned(fromByteOffset: top &+ delta, as: UInt32.self)
                                    scratch.storeBytes(of: word, toByteOffset: slot &* part &+ at, as: UInt32.self)
                                }
                                copy(0, 3)
                                copy(2, 4)
                                copy(rowBytes, 5)
                                copy(rowBytes + 2, 6)
                            }
                        }
                        k += 1
                    }
                    k = 0
                    while k < count {
                        let target = output + (y * width + start(k)) * 3
                        if inside & 1 << k != 0 {
                            let at = block * k
                            // Byte j of each lane's word in part `slot`: the vector 32-bit load j bytes on, masked
                            // (the standard library's vector shifts are lane-by-lane loops).
                            @inline(__always) func tap(_ slot: Int, _ j: Int) -> SIMD8<Float> {
                                Self.float(
                                    scratch.loadUnaligned(fromByteOffset: slot * part + at + j, as: SIMD8<UInt32>.self))
                            }
                            let rgb = Self.interpolate(
                                scratch.load(fromByteOffset: part + at, as: SIMD8<Float>.self),
                                scratch.load(fromByteOffset: 2 * part + at, as: SIMD8<Float>.self), tap)
                            // Planar into parts 0–2 (this block's offsets, fx and fy are spent); interleaved below.
                            // Interleaving here let LLVM pull single lanes through all the arithmetic (half the speed).
                            scratch.storeBytes(of: rgb.r * scales + offsets, toByteOffset: at, as: SIMD8<Float>.self)
                            scratch.storeBytes(
                                of: rgb.g * scales + offsets, toByteOffset: part + at, as: SIMD8<Float>.self)
                            scratch.storeBytes(
                                of: rgb.b * scales + offsets, toByteOffset: 2 * part + at, as: SIMD8<Float>.self)
                        } else if outsideAll & 1 << k != 0 {
                            Self.store(outside, outside, outside, target)
                        } else {
                            // Along the image's border (a few blocks per crop): one pixel at a time, as the reference.
                            for lane in 0 ..< 8 {
                                sample(start(k) + lane, y, image, maxX, maxY, scale, offset, target + 3 * lane)
                            }
                        }
                        k += 1
                    }
                    k = 0
                    while k < count {
                        if inside & 1 << k != 0 {
                            let at = block * k
                            Self.store(
                                scratch.load(fromByteOffset: at, as: SIMD8<Float>.self),
                                scratch.load(fromByteOffset: part + at, as: SIMD8<Float>.self),
                                scratch.load(fromByteOffset: 2 * part + at, as: SIMD8<Float>.self),
                                output + (y * width + start(k)) * 3)
                        }
                        k += 1
                    }
                    x += 8 * count
                }
                y += 1
            }
        }
    }

    /// Blocks of 8 pixels per pass: the scratch (7 vectors per block) stays under 1 KB, always on the stack.
    private static let blocks = 4

    /// One pixel at a time: what `fill` must match bit for bit.
    package func fillReference(
        _ tensor: UnsafeMutableBufferPointer<Float>, width: Int, height: Int, from image: RGBImage, scale: Float,
        offset: Float
    ) {
        precondition(tensor.count >= width * height * 3)
        guard let output = tensor.baseAddress else { return }
        let maxX = image.width - 1
        let maxY = image.height - 1
        var y = 0
        while y < height {
            var x = 0
            while x < width {
                sample(x, y, image, maxX, maxY, scale, offset, output + (y * width + x) * 3)
                x += 1
            }
            y += 1
        }
    }

    @inline(__always)
    private func sample(
        _ x: Int, _ y: Int, _ image: RGBImage, _ maxX: Int, _ maxY: Int, _ scale: Float, _ offset: Float,
        _ target: UnsafeMutablePointer<Float>
    ) {
        let position = SIMD3(Float(x), Float(y), 1)
        let sx = (row0 * position).sum()
        let sy = (row1 * position).sum()
        let x0 = Int(sx.rounded(.down))
        let y0 = Int(sy.rounded(.down))
        let fx = sx - Float(x0)
        let fy = sy - Float(y0)
        var rgb = SIMD3<Float>()
        if x0 >= 0, y0 >= 0, x0 < maxX, y0 < maxY {
            // All four taps inside (nearly every pixel of a face crop): no per-tap checks. The same products
            // summed in the same order as below, so the result is bit-identical.
            let top = image.pixels + y0 * image.rowStride + x0 * 3
            let bottom = top + image.rowStride
            rgb += SIMD3(Float(top[0]), Float(top[1]), Float(top[2])) * ((1 - fx) * (1 - fy))
            rgb += SIMD3(Float(top[3]), Float(top[4]), Float(top[5])) * (fx * (1 - fy))
            rgb += SIMD3(Float(bottom[0]), Float(bottom[1]), Float(bottom[2])) * ((1 - fx) * fy)
            rgb += SIMD3(Float(bottom[3]), Float(bottom[4]), Float(bottom[5])) * (fx * fy)
        } else if x0 >= -1, y0 >= -1, x0 <= maxX, y0 <= maxY {
            // Four taps; taps outside the image contribute the border value 0.
            rgb += tap(image, x0, y0, maxX, maxY) * ((1 - fx) * (1 - fy))
            rgb += tap(image, x0 + 1, y0, maxX, maxY) * (fx * (1 - fy))
            rgb += tap(image, x0, y0 + 1, maxX, maxY) * ((1 - fx) * fy)
            rgb += tap(image, x0 + 1, y0 + 1, maxX, maxY) * (fx * fy)
        }
        // OpenCV warps u8 to u8: the interpolated value is rounded to a byte before the float conversion.
        rgb = (rgb + 0.5).rounded(.down)
        target[0] = rgb.x * scale + offset
        target[1] = rgb.y * scale + offset
        target[2] = rgb.z * scale + offset
    }

    @inline(__always)
    private func tap(_ image: RGBImage, _ x: Int, _ y: Int, _ maxX: Int, _ maxY: Int) -> SIMD3<Float> {
        guard x >= 0, y >= 0, x <= maxX, y <= maxY else { return .zero }
        let pixel = image.pixels + y * image.rowStride + x * 3
        return SIMD3(Float(pixel[0]), Float(pixel[1]), Float(pixel[2]))
    }

    /// Eight pixels whose four taps are all inside, rounded to bytes (not yet scaled). `tap(part, j)` is byte j of
    /// the words of part 3 (top-left tap: R0 G0 B0 R1), 4 (2 bytes on: B0 R1 G1 B1), 5 and 6 (the same, a row down).
    @inline(__always)
    private static func interpolate(
        _ fx: SIMD8<Float>, _ fy: SIMD8<Float>, _ tap: (Int, Int) -> SIMD8<Float>
    ) -> (r: SIMD8<Float>, g: SIMD8<Float>, b: SIMD8<Float>) {
        let one = SIMD8<Float>(repeating: 1)
        let gx = one - fx
        let gy = one - fy
        let w00 = gx * gy
        let w10 = fx * gy
        let w01 = gx * fy
        let w11 = fx * fy
        let half = SIMD8<Float>(repeating: 0.5)
        @inline(__always) func channel(_ left: Int, _ right: (part: Int, byte: Int)) -> SIMD8<Float> {
            let value =
                ((tap(3, left) * w00 + tap(right.part, right.byte) * w10) + tap(5, left) * w01)
                + tap(right.part + 2, right.byte) * w11
            return (value + half).rounded(.down)
        }
        return (channel(0, (3, 3)), channel(1, (4, 2)), channel(2, (4, 3)))
    }

    /// The first byte in memory of each lane as a float, exactly: 2²³ + byte has the byte as its low mantissa bits.
    @inline(__always)
    private static func float(_ words: SIMD8<UInt32>) -> SIMD8<Float> {
        #if _endian(big)
        let bits = (words &>> 24) | SIMD8(repeating: 0x4B00_0000)
        #else
        let bits = (words & SIMD8(repeating: 0xFF)) | SIMD8(repeating: 0x4B00_0000)
        #endif
        return unsafeBitCast(bits, to: SIMD8<Float>.self) - SIMD8(repeating: 8_388_608)
    }

    /// Interleaves three channel vectors into 24 floats (R G B per pixel).
    @inline(__always)
    private static func store(
        _ r: SIMD8<Float>, _ g: SIMD8<Float>, _ b: SIMD8<Float>, _ target: UnsafeMutablePointer<Float>
    ) {
        let raw = UnsafeMutableRawPointer(target)
        raw.storeBytes(of: SIMD8(r[0], g[0], b[0], r[1], g[1], b[1], r[2], g[2]), as: SIMD8<Float>.self)
        raw.storeBytes(
            of: SIMD8(b[2], r[3], g[3], b[3], r[4], g[4], b[4], r[5]), toByteOffset: 32, as: SIMD8<Float>.self)
        raw.storeBytes(
            of: SIMD8(g[5], b[5], r[6], g[6], b[6], r[7], g[7], b[7]), toByteOffset: 64, as: SIMD8<Float>.self)
    }
}
