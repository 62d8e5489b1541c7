import OmoteCore
import OmoteRig

extension AvatarRenderer {
    /// Draws a pass of blended triangles over the shaded picture, forward: each pixel nearer than the opaque depth
    /// is shaded and composited with "over" in linear light (depth is tested, not written).
    func drawBlended(_ pass: RenderPass, _ frame: FrameContext) {
        let indices = frame.indices
        for t in pass.triangles {
            let ia = Int(indices[3 * t])
            let ib = Int(indices[3 * t + 1])
            let ic = Int(indices[3 * t + 2])
            guard
                let setup = TriangleSetup(
                    ia, ib, ic, x: frame.screenX, y: frame.screenY, w: frame.inverseDepth, culling: pass.culling,
                    frame)
            else { continue }
            let flags = setup.backFacing ? TriangleID.backFacing : 0
            frame.textureDensity[t] = frame.uvAreas[t] * setup.inverseArea
            for row in setup.minY ... setup.maxY {
                let py = Float(row) - frame.originY
                for column in setup.minX ... setup.maxX {
                    let px = Float(column) - frame.originX
                    let la = setup.weightA.x * px + setup.weightA.y * py + setup.weightA.z
                    let lb = setup.weightB.x * px + setup.weightB.y * py + setup.weightB.z
                    let lc = setup.weightC.x * px + setup.weightC.y * py + setup.weightC.z
                    guard la >= 0, lb >= 0, lc >= 0 else { continue }
                    let z = setup.inverseDepth.x * px + setup.inverseDepth.y * py + setup.inverseDepth.z
                    guard z > frame.depth[row * frame.gStride + column] else { continue }
                    let source = frame.shade(triangle: t, flags: flags, b: lb, c: lc, isBlendedPass: true)
                    let alpha = min(1, max(0, source.w))
                    guard alpha > 0 else { continue }
                    let p = row * frame.width + column
                    let destination = frame.color.straightColor(premultiplied: frame.pixels[p])
                    let keep = destination.w * (1 - alpha)
                    let outAlpha = alpha + keep
                    let rgb =
                        (SIMD3(source.x, source.y, source.z) * alpha
                            + SIMD3(destination.x, destination.y, destination.z) * keep) / outAlpha
                    frame.pixels[p] = frame.color.premultipliedPixel(SIMD4(rgb, outAlpha))
                }
            }
        }
    }
}
