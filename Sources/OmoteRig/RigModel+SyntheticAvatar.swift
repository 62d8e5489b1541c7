import Foundation

/// A stand-in for a VRoid-exported avatar, built in code, for renderer benchmarks and tests: about the triangle count,
/// texture sizes and material mix of a real one (textured MToon skin with an outline, a cut-out double-sided hair
/// cap, textured Lambert eyes and clothes, an unlit neck, a blended visor), so the renderer can be measured without
/// shipping a third-party model.
extension RigModel {
    /// `triangles` is approximate (the parts keep their proportions); `textureSize` is each of the six textures'
    /// side in texels.
    public static func syntheticVRoidSize(triangles: Int = 40000, textureSize: Int = 1024) -> RigModel {
        var mesh = SyntheticMesh()
        let detail = (Float(triangles) / 40000).squareRoot()
        func count(_ n: Float) -> Int { max(3, Int((n * detail).rounded())) }

        // Materials: 0 skin (MToon + outline), 1 hair (MToon, cut-out, double-sided), 2 eyes (Lambert),
        // 3 clothes (Lambert), 4 neck (unlit), 5 visor (blend, double-sided).
        let materials = [
            RigMaterial(
                name: "skin", baseTexture: 0,
                mtoon: RigMToon(
                    shadeColor: SIMD3(0.75, 0.55, 0.55), shadeTexture: 1, shadingShift: -0.1, shadingToony: 0.9,
                    outlineWidth: 0.008, outlineColor: SIMD3(0.2, 0.1, 0.08), outlineLightingMix: 1)),
            RigMaterial(
                name: "hair", baseTexture: 2, alphaMode: .mask(cutoff: 0.5), doubleSided: true,
                mtoon: RigMToon(shadeColor: SIMD3(0.3, 0.2, 0.25), shadingToony: 0.95)),
            RigMaterial(name: "eyes", baseTexture: 3),
            RigMaterial(name: "clothes", baseTexture: 4),
            RigMaterial(name: "neck", baseColor: SIMD4(0.9, 0.75, 0.65, 1), unlit: true),
            RigMaterial(name: "visor", baseTexture: 5, alphaMode: .blend, doubleSided: true),
        ]
        let skinTone = SIMD4<Float>(0.9, 0.75, 0.65, 1)
        let white = SIMD4<Float>(1, 1, 1, 1)

        mesh.ellipsoid(
            centre: .zero, radii: SIMD3(0.36, 0.5, 0.4), polar: 0 ... .pi, rows: count(120), columns: count(96),
            material: 0, color: white, headWeight: 1)
        mesh.ellipsoid(
            centre: SIMD3(0, 0.04, -0.02), radii: SIMD3(0.4, 0.52, 0.44), polar: 0 ... 0.5 * .pi, rows: count(40),
            columns: count(96), material: 1, color: white, headWeight: 1)
        for side: Float in [-1, 1] {
            mesh.ellipsoid(
                centre: SIMD3(side * 0.13, 0.05, 0.33), radii: SIMD3(0.06, 0.06, 0.06), polar: 0 ... .pi,
                rows: count(12), columns: count(16), material: 2, color: white, headWeight: 1)
        }
        mesh.ellipsoid(
            centre: SIMD3(0, -0.6, -0.05), radii: SIMD3(0.13, 0.25, 0.13), polar: 0.3 * .pi ... 0.9 * .pi,
            rows: count(10), columns: count(48), material: 4, color: skinTone, headWeight: 0.5)
        mesh.ellipsoid(
            centre: SIMD3(0, -1.35, -0.05), radii: SIMD3(0.8, 0.6, 0.35), polar: 0.05 * .pi ... 0.75 * .pi,
            rows: count(40), columns: count(96), material: 3, color: white, headWeight: 0)
        mesh.quad(
            corners: [SIMD3(-0.3, 0.0, 0.5), SIMD3(0.3, 0.0, 0.5), SIMD3(0.3, 0.15, 0.47), SIMD3(-0.3, 0.15, 0.47)],
            material: 5, headWeight: 1)

        let textures = [
            SyntheticTexture.checker("skin", size: textureSize, SIMD3(238, 205, 185), SIMD3(232, 198, 178)),
            SyntheticTexture.checker("skin shade", size: textureSize, SIMD3(220, 170, 170), SIMD3(210, 160, 165)),
            SyntheticTexture.strands("hair", size: textureSize),
            SyntheticTexture.iris("eyes", size: textureSize),
            SyntheticTexture.checker("clothes", size: textureSize, SIMD3(60, 70, 140), SIMD3(240, 240, 245)),
            SyntheticTexture.visor("visor", size: textureSize),
        ]
        return RigModel(
            name: "synthetic VRoid-size avatar", positions: mesh.positions, normals: mesh.normals,
            colors: mesh.colors, uvs: mesh.uvs, indices: mesh.indices, materials: materials, textures: textures,
            surfaces: mesh.surfaces, faceBoneWeights: mesh.weights, faceBonePivots: [.head: SIMD3(0, -0.45, -0.05)])
    }
}

private struct SyntheticMesh {
    var positions: [SIMD3<Float>] = []
    var normals: [SIMD3<Float>] = []
    var colors: [SIMD4<Float>] = []
    var uvs: [SIMD2<Float>] = []
    var weights: [SIMD4<Float>] = []
    var indices: [UInt32] = []
    var surfaces: [RigSurface] = []

    private mutating func vertex(
        _ p: SIMD3<Float>, _ n: SIMD3<Float>, _ uv: SIMD2<Float>, _ color: SIMD4<Float>, _ headWeight: Float
    ) {
        positions.append(p)
        normals.append(n)
        uvs.append(uv)
        colors.append(color)
        weights.append(SIMD4(0, headWeight, 0, 0))
    }

    private mutating func surface(material: Int, from start: Int) {
        surfaces.append(RigSurface(indexStart: start, indexCount: indices.count - start, material: material))
    }

    /// A band of an ellipsoid between two polar angles (0 = top), facing outwards, UVs wrapping once around.
    mutating func ellipsoid(
        centre: SIMD3<Float>, radii: SIMD3<Float>, polar: ClosedRange<Float>, rows: Int, columns: Int,
        material: Int, color: SIMD4<Float>, headWeight: Float
    ) {
        let base = UInt32(positions.count)
        let start = indices.count
        for r in 0 ... rows {
            let theta = polar.lowerBound + (polar.upperBound - polar.lowerBound) * Float(r) / Float(rows)
            for c in 0 ... columns {
                let phi = 2 * Float.pi * Float(c) / Float(columns)
                let unit = SIMD3(sin(theta) * sin(phi), cos(theta), sin(theta) * cos(phi))
                let n = unit / radii
                vertex(
                    centre + unit * radii, n / (n * n).sum().squareRoot(),
                    SIMD2(Float(c) / Float(columns), Float(r) / Float(rows)), color, headWeight)
            }
        }
        let stride = UInt32(columns + 1)
        for r in 0 ..< UInt32(rows) {
            for c in 0 ..< UInt32(columns) {
                let a = base + r * stride + c
                let b = a + 1
                let d = a + stride
                let e = d + 1
                indices += [a, d, b, b, d, e]
            }
        }
        surface(material: material, from: start)
    }

    /// A flat quad, corners counter-clockwise seen from its front.
    mutating func quad(corners: [SIMD3<Float>], material: Int, headWeight: Float) {
        let base = UInt32(positions.count)
        let start = indices.count
        let u = corners[1] - corners[0]
        let v = corners[3] - corners[0]
        var n = SIMD3(u.y * v.z - u.z * v.y, u.z * v.x - u.x * v.z, u.x * v.y - u.y * v.x)
        n /= (n * n).sum().squareRoot()
        let uv: [SIMD2<Float>] = [SIMD2(0, 1), SIMD2(1, 1), SIMD2(1, 0), SIMD2(0, 0)]
        for i in 0 ..< 4 { vertex(corners[i], n, uv[i], SIMD4(1, 1, 1, 1), headWeight) }
        indices += [base, base + 1, base + 2, base, base + 2, base + 3]
        surface(material: material, from: start)
    }
}

/// Procedural RGBA8 textures (sRGB bytes, R in the low byte).
private enum SyntheticTexture {
    static func pack(_ rgb: SIMD3<Int>, alpha: Int = 255) -> UInt32 {
        UInt32(rgb.x) | UInt32(rgb.y) << 8 | UInt32(rgb.z) << 16 | UInt32(alpha) << 24
    }

    static func make(_ name: String, size: Int, _ texel: (Int, Int) -> UInt32) -> RigTexture {
        var texels = [UInt32](repeating: 0, count: size * size)
        for y in 0 ..< size {
            for x in 0 ..< size { texels[y * size + x] = texel(x, y) }
        }
        return RigTexture(name: name, width: size, height: size, texels: texels)
    }

    static func checker(_ name: String, size: Int, _ first: SIMD3<Int>, _ second: SIMD3<Int>) -> RigTexture {
        let cell = max(1, size / 32)
        let a = pack(first)
        let b = pack(second)
        return make(name, size: size) { x, y in (x / cell + y / cell) % 2 == 0 ? a : b }
    }

    /// Hair strands with see-through gaps between them towards the tips (the cut-out).
    static func strands(_ name: String, size: Int) -> RigTexture {
        let strand = max(2, size / 64)
        return make(name, size: size) { x, y in
            let inStrand = x % strand
            let tip = y * 4 > size * 3 && inStrand < strand / 3
            let shade = 60 + (inStrand * 40) / strand
            return pack(SIMD3(shade + 30, shade, shade - 20), alpha: tip ? 0 : 255)
        }
    }

    static func iris(_ name: String, size: Int) -> RigTexture {
        make(name, size: size) { _, y in
            let band = y * 8 / size
            return band < 3
                ? pack(SIMD3(245, 245, 245)) : band < 4 ? pack(SIMD3(70, 110, 170)) : pack(SIMD3(20, 20, 30))
        }
    }

    static func visor(_ name: String, size: Int) -> RigTexture {
        make(name, size: size) { x, _ in pack(SIMD3(120, 200, 255), alpha: 60 + 120 * x / size) }
    }
}
