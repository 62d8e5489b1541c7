import Foundation
import OmoteCore
import OmoteRig

@testable import OmoteView

/// A mesh under construction for renderer tests, with one surface per added part.
struct TestMesh {
    var positions: [SIMD3<Float>] = []
    var normals: [SIMD3<Float>] = []
    var colors: [SIMD4<Float>] = []
    var uvs: [SIMD2<Float>] = []
    var indices: [UInt32] = []
    var surfaces: [RigSurface] = []

    /// A square facing +z (counter-clockwise seen from +z unless `clockwise`), UV (0,0) at its top-left corner.
    mutating func square(
        centre: SIMD3<Float>, side: Float, material: Int, color: SIMD4<Float> = SIMD4(1, 1, 1, 1),
        clockwise: Bool = false
    ) {
        let h = side / 2
        let base = UInt32(positions.count)
        let start = indices.count
        positions += [SIMD3(-h, -h, 0), SIMD3(h, -h, 0), SIMD3(h, h, 0), SIMD3(-h, h, 0)].map { $0 + centre }
        normals += Array(repeating: SIMD3(0, 0, 1), count: 4)
        colors += Array(repeating: color, count: 4)
        uvs += [SIMD2(0, 1), SIMD2(1, 1), SIMD2(1, 0), SIMD2(0, 0)]
        indices +=
            clockwise
            ? [base, base + 2, base + 1, base, base + 3, base + 2]
            : [base, base + 1, base + 2, base, base + 2, base + 3]
        surfaces.append(RigSurface(indexStart: start, indexCount: 6, material: material))
    }

    /// A UV sphere with smooth normals.
    mutating func sphere(centre: SIMD3<Float>, radius: Float, material: Int, rows: Int = 48, columns: Int = 64) {
        let base = UInt32(positions.count)
        let start = indices.count
        for r in 0 ... rows {
            let theta = Float.pi * Float(r) / Float(rows)
            for c in 0 ... columns {
                let phi = 2 * Float.pi * Float(c) / Float(columns)
                let unit = SIMD3(sin(theta) * sin(phi), cos(theta), sin(theta) * cos(phi))
                positions.append(centre + unit * radius)
                normals.append(unit)
                colors.append(SIMD4(1, 1, 1, 1))
                uvs.append(SIMD2(Float(c) / Float(columns), Float(r) / Float(rows)))
            }
        }
        let stride = UInt32(columns + 1)
        for r in 0 ..< UInt32(rows) {
            for c in 0 ..< UInt32(columns) {
                let a = base + r * stride + c
                indices += [a, a + stride, a + 1, a + 1, a + stride, a + stride + 1]
            }
        }
        surfaces.append(RigSurface(indexStart: start, indexCount: indices.count - start, material: material))
    }

    func model(materials: [RigMaterial], textures: [RigTexture] = []) -> RigModel {
        RigModel(
            name: "test", positions: positions, normals: normals, colors: colors, uvs: uvs, indices: indices,
            materials: materials, textures: textures, surfaces: surfaces)
    }
}

/// Where the camera looks (the framing's target): a test scene centred here fills the middle of the picture.
let sceneCentre = SIMD3<Float>(0, -0.35, 0)

/// Renders the rest pose of `model`.
func rendered(
    _ model: RigModel, width: Int = 160, height: Int = 120, background: UInt32 = 0xFF00_FF00
) throws -> AvatarRenderer {
    let renderer = try AvatarRenderer(model: model, width: width, height: height)
    renderer.background = background
    let state = try RigState(model: model)
    try renderer.render(state)
    return renderer
}

extension AvatarRenderer {
    /// The pixel a model-space point lands on.
    func pixelPosition(of p: SIMD3<Float>) -> (x: Int, y: Int) {
        let s = camera.project(p)
        return (Int((s.x + camera.originX).rounded()), Int((s.y + camera.originY).rounded()))
    }

    func pixel(_ x: Int, _ y: Int) -> UInt32 { pixels[y * width + x] }

    func pixel(at p: SIMD3<Float>) -> UInt32 {
        let (x, y) = pixelPosition(of: p)
        return pixel(x, y)
    }

    func count(where predicate: (UInt32) -> Bool) -> Int { pixels.reduce(0) { $0 + (predicate($1) ? 1 : 0) } }

    /// The model-space point on the plane z = `planeZ` seen at the centre of pixel (x, y).
    func pointOnPlane(z planeZ: Float, x: Int, y: Int) -> SIMD3<Float> {
        let sx = (Float(x) - camera.originX - camera.centreX) / camera.focal
        let sy = (Float(y) - camera.originY - camera.centreY) / camera.focal
        let direction = camera.forward + camera.right * sx - camera.up * sy
        let t = (planeZ - camera.eye.z) / direction.z
        return camera.eye + direction * t
    }
}

/// Channels of a 0xAARRGGBB pixel.
func channels(_ pixel: UInt32) -> SIMD4<Int> {
    SIMD4(Int(pixel >> 16 & 0xFF), Int(pixel >> 8 & 0xFF), Int(pixel & 0xFF), Int(pixel >> 24))
}

func isClose(_ a: UInt32, _ b: UInt32, tolerance: Int = 2) -> Bool {
    let d = channels(a) &- channels(b)
    return abs(d.x) <= tolerance && abs(d.y) <= tolerance && abs(d.z) <= tolerance && abs(d.w) <= tolerance
}

/// Reference colour conversions (exact formulas, not the renderer's tables).
func referenceLinear(_ byte: UInt32) -> Float {
    let c = Float(byte) / 255
    return c <= 0.04045 ? c / 12.92 : powf((c + 0.055) / 1.055, 2.4)
}

func referenceByte(_ linear: Float) -> UInt32 {
    let c = min(1, max(0, linear))
    let s = c <= 0.0031308 ? c * 12.92 : 1.055 * powf(c, 1 / 2.4) - 0.055
    return UInt32((s * 255).rounded())
}

func opaquePixel(linear rgb: SIMD3<Float>) -> UInt32 {
    0xFF00_0000 | referenceByte(rgb.x) << 16 | referenceByte(rgb.y) << 8 | referenceByte(rgb.z)
}

/// A scalar bilinear sample (texel centres at (i + ½) / size, repeat wrap, filtered in linear light).
func referenceBilinear(_ texture: RigTexture, _ uv: SIMD2<Float>) -> SIMD4<Float> {
    let x = (uv.x - uv.x.rounded(.down)) * Float(texture.width) - 0.5
    let y = (uv.y - uv.y.rounded(.down)) * Float(texture.height) - 0.5
    let x0 = Int(x.rounded(.down))
    let y0 = Int(y.rounded(.down))
    let fx = x - Float(x0)
    let fy = y - Float(y0)
    func texel(_ i: Int, _ j: Int) -> SIMD4<Float> {
        let t = texture.texels[
            ((j % texture.height + texture.height) % texture.height) * texture.width
                + ((i % texture.width + texture.width) % texture.width)]
        return SIMD4(
            referenceLinear(t & 0xFF), referenceLinear(t >> 8 & 0xFF), referenceLinear(t >> 16 & 0xFF),
            Float(t >> 24) / 255)
    }
    let top = texel(x0, y0) * (1 - fx) + texel(x0 + 1, y0) * fx
    let bottom = texel(x0, y0 + 1) * (1 - fx) + texel(x0 + 1, y0 + 1) * fx
    return top * (1 - fy) + bottom * fy
}

/// RGBA8 texel bytes (R in the low byte) from 0xRRGGBB and an alpha.
func texel(_ rgb: UInt32, alpha: UInt32 = 255) -> UInt32 {
    (rgb >> 16 & 0xFF) | (rgb >> 8 & 0xFF) << 8 | (rgb & 0xFF) << 16 | alpha << 24
}
