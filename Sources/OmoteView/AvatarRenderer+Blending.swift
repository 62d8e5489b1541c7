import OmoteCore
import OmoteRig

extension AvatarRenderer {
    /// Draws a pass of blended triangles over the shaded picture, forward: each pixel nearer than the opaque depth
    /// is shaded and composited with "over" in linear light (depth is tested, not written). Eight pixels at a time
    /// where all eight destination pixels are opaque (the avatar, or an opaque background: the common case), one at
    /// a time otherwise.
    func drawBlended(_ pass: RenderPass, _ frame: FrameContext) {
        let indices = frame.indices
        let w = frame.inverseDepth
        let spanShading = scene.spanShading.view
        let shading = 2 * pass.material
        let parameters = spanShading[shading]
        let everyLane = SIMDMask<SIMD8<Int32>>(repeating: true)
        let spanLanes = Lanes(0, 1, 2, 3, 4, 5, 6, 7)
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: SpanSlot.count) { buffer in
            buffer.initialize(repeating: Lanes())
            let scratch = SpanScratch(
                base: UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: Float.self))
            var material = SpanMaterialLanes()
            material.take(parameters, where: everyLane)
            for t in pass.triangles {
                let ia = Int(indices[3 * t])
                let ib = Int(indices[3 * t + 1])
                let ic = Int(indices[3 * t + 2])
                guard
                    let setup = TriangleSetup(
                        ia, ib, ic, x: frame.screenX, y: frame.screenY, w: w, culling: pass.culling, frame)
                else { continue }
                let flags = setup.backFacing ? TriangleID.backFacing : 0
                let density = frame.uvAreas[t] * setup.inverseArea
                frame.textureDensity[t] = density
                // The triangle's attribute planes as the span shader takes them, and its vertex alpha × 1/depth.
                let record = TriangleRecord(
                    setup, ia, ib, ic, w: w, shading: shading, density: density, flipsNormal: setup.backFacing,
                    spanShading: spanShading, frame)
                let alphaA: Float = w[ia] * frame.colors[ia].w
                let alphaB: Float = w[ib] * frame.colors[ib].w
                let alphaC: Float = w[ic] * frame.colors[ic].w
                let alphaPlane: SIMD3<Float> = setup.weightA * alphaA + setup.weightB * alphaB + setup.weightC * alphaC
                var base = SpanLevelLanes()
                var shade = SpanLevelLanes()
                base.take(
                    parameters.baseTexture, level: record.key.baseLevel, textures: frame.textures,
                    fallback: frame.fallbackTexel, set: 0, from: 0, where: everyLane, scratch: scratch)
                shade.take(
                    parameters.shadeTexture, level: record.key.shadeLevel, textures: frame.textures,
                    fallback: frame.fallbackTexel, set: 1, from: 0, where: everyLane, scratch: scratch)
                let firstColumn = Lanes(repeating: Float(setup.minX))
                let lastColumn = Lanes(repeating: Float(setup.maxX))
                for row in setup.minY ... setup.maxY {
                    let py = Float(row) - frame.originY
                    let rowPlanes = record.value.addingProduct(record.slopeY, Lanes(repeating: py))
                    var span = setup.minX & ~7
                    while span <= setup.maxX {
                        defer { span += 8 }
                        let columns = Lanes(repeating: Float(span)) + spanLanes
                        let px = columns - frame.originX
                        @inline(__always) func plane(_ p: SIMD3<Float>) -> Lanes {
                            Lanes(repeating: p.y * py + p.z).addingProduct(px, Lanes(repeating: p.x))
                        }
                        let z = plane(setup.inverseDepth)
                        let covered =
                            (plane(setup.weightA) .>= 0) .& (plane(setup.weightB) .>= 0) .& (plane(setup.weightC) .>= 0)
                            .& (columns .>= firstColumn) .& (columns .<= lastColumn)
                            .& (z .> frame.depth.load(Lanes.self, at: row * frame.gStride + span))
                        guard any(covered) else { continue }
                        let p = row * frame.width + span
                        if span + 8 <= frame.width, !blendsPixelByPixel {
                            let destination = frame.pixels.load(SIMD8<UInt32>.self, at: p)
                            if destination &>> 24 == SIMD8(repeating: 0xFF) {
                                @inline(__always) func attribute(_ k: Int) -> Lanes {
                                    Lanes(repeating: rowPlanes[k]).addingProduct(px, Lanes(repeating: record.slopeX[k]))
                                }
                                let perspective = 1 / z
                                let lit = frame.litColor(
                                    nx: attribute(TriangleRecord.Attribute.normalX),
                                    ny: attribute(TriangleRecord.Attribute.normalY),
                                    nz: attribute(TriangleRecord.Attribute.normalZ),
                                    red: attribute(TriangleRecord.Attribute.red) * perspective * material.tintRed,
                                    green: attribute(TriangleRecord.Attribute.green) * perspective * material.tintGreen,
                                    blue: attribute(TriangleRecord.Attribute.blue) * perspective * material.tintBlue,
                                    u: attribute(TriangleRecord.Attribute.u) * perspective,
                                    v: attribute(TriangleRecord.Attribute.v) * perspective, covered: covered,
                                    material: material, base: base, shade: shade, sampleBaseEverywhere: true,
                                    scratch: scratch)
                                var alpha = plane(alphaPlane) * perspective * lit.alpha
                                alpha.replace(with: 1, where: alpha .> 1)
                                let draws = covered .& (alpha .> 0)
                                guard any(draws) else { continue }
                                let behind = frame.color.linearChannels(opaque: destination, scratch: scratch)
                                let keep = 1 - alpha
                                let over = frame.color.opaquePixels(
                                    red: lit.red * alpha + behind.red * keep,
                                    green: lit.green * alpha + behind.green * keep,
                                    blue: lit.blue * alpha + behind.blue * keep, covered: everyLane,
                                    background: 0, scratch: scratch)
                                frame.pixels.store(destination.replacing(with: over, where: draws), at: p)
                                continue
                            }
                        }
                        for lane in 0 ..< 8 where covered[lane] {
                            blendPixel(triangle: t, flags: flags, setup, column: span + lane, row: row, frame)
                        }
                    }
                }
            }
        }
    }

    /// One pixel of `drawBlended`: shaded by the scalar shader and composited over whatever is there (any alpha).
    @inline(__always)
    func blendPixel(
        triangle t: Int, flags: UInt32, _ setup: TriangleSetup, column: Int, row: Int, _ frame: FrameContext
    ) {
        let px = Float(column) - frame.originX
        let py = Float(row) - frame.originY
        let lb = setup.weightB.x * px + setup.weightB.y * py + setup.weightB.z
        let lc = setup.weightC.x * px + setup.weightC.y * py + setup.weightC.z
        let source = frame.shade(triangle: t, flags: flags, b: lb, c: lc, isBlendedPass: true)
        let alpha = min(1, max(0, source.w))
        guard alpha > 0 else { return }
        let p = row * frame.width + column
        let destination = frame.color.straightColor(premultiplied: frame.pixels[p])
        let keep = destination.w * (1 - alpha)
        let outAlpha = alpha + keep
        let rgb =
            (SIMD3(source.x, source.y, source.z) * alpha + SIMD3(destination.x, destination.y, destination.z) * keep)
            / outAlpha
        frame.pixels[p] = frame.color.premultipliedPixel(SIMD4(rgb, outAlpha))
    }
}

extension ColorTableViews {
    /// The linear RGB of eight opaque sRGB 0xFFRRGGBB pixels.
    @inline(__always)
    func linearChannels(opaque pixels: SIMD8<UInt32>, scratch: SpanScratch) -> (red: Lanes, green: Lanes, blue: Lanes) {
        // (The byte of each lane goes through the scratch: gathering into vector lanes scalarises the arithmetic.)
        scratch.storeWords(SpanSlot.encodeRed, pixels &>> 16 & 0xFF)
        scratch.storeWords(SpanSlot.encodeGreen, pixels &>> 8 & 0xFF)
        scratch.storeWords(SpanSlot.encodeBlue, pixels & 0xFF)
        for slot in [SpanSlot.encodeRed, SpanSlot.encodeGreen, SpanSlot.encodeBlue] {
            for lane in 0 ..< 8 { scratch.set(slot, lane, decode[Int(scratch.word(slot, lane))]) }
        }
        return (scratch.load(SpanSlot.encodeRed), scratch.load(SpanSlot.encodeGreen), scratch.load(SpanSlot.encodeBlue))
    }
}
