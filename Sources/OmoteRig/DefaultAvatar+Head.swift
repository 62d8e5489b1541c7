import Foundation

/// The default avatar's head: a round cranium over a jaw that narrows to a defined chin, a flattened face front with
/// cheeks, eye sockets, nose and mouth slot carved in, and ears.
extension DefaultAvatar {
    // MARK: Shape

    /// Half-width at z = 0 (the widest point of each horizontal slice) from y = −0.5 every 0.05 up to 0.1: the jaw
    /// line runs almost straight from below the cheeks to the chin. Above 0.07 the cranium is an ellipse.
    static let jawHalfWidths: [Float] = [
        0, 0.14, 0.2, 0.245, 0.283, 0.313, 0.337, 0.353, 0.362, 0.368, 0.371, 0.372, 0.371,
    ]
    /// Front of the face at x = 0 (without the nose), same sampling up to 0.1: a chin that stands forward, then
    /// tucks under. Above 0.05 the forehead curves back as an ellipse.
    static let faceFrontDepths: [Float] = [
        0.10, 0.25, 0.31, 0.33, 0.34, 0.35, 0.368, 0.385, 0.398, 0.408, 0.414, 0.417, 0.4144,
    ]
    /// Back of the head (distance behind z = 0), same sampling: the skull narrows into the nape.
    static let backDepths: [Float] = [
        0.06, 0.13, 0.18, 0.22, 0.26, 0.30, 0.335, 0.36, 0.385, 0.405, 0.415, 0.413, 0.4066,
    ]
    /// Superellipse exponent of the face's horizontal slices from y = −0.5 every 0.1: above 2 flattens the face
    /// plane (cheek level), below 2 points the chin.
    static let faceExponents: [Float] = [1.8, 1.9, 2.2, 2.45, 2.55, 2.55, 2.5, 2.35, 2.2, 2.05, 2.0]

    /// Catmull-Rom interpolation of samples taken every `step` from `start`, clamped at the ends.
    static func sampled(_ table: [Float], from start: Float, step: Float, at y: Float) -> Float {
        let t = min(max((y - start) / step, 0), Float(table.count - 1))
        let i = min(Int(t), table.count - 2)
        let f = t - Float(i)
        let p0 = table[max(i - 1, 0)]
        let p1 = table[i]
        let p2 = table[i + 1]
        let p3 = table[min(i + 2, table.count - 1)]
        return p1 + 0.5 * f * (p2 - p0 + f * (2 * p0 - 5 * p1 + 4 * p2 - p3 + f * (3 * (p1 - p2) + p3 - p0)))
    }

    static func headHalfWidth(_ y: Float) -> Float {
        if y >= 0.07 { return 0.372 * max(0, 1 - (y - 0.07) * (y - 0.07) / (0.43 * 0.43)).squareRoot() }
        return sampled(jawHalfWidths, from: -radiusY, step: 0.05, at: y)
    }

    static func faceFrontDepth(_ y: Float) -> Float {
        if y >= 0.05 { return 0.417 * max(0, 1 - (y - 0.05) * (y - 0.05) / (0.45 * 0.45)).squareRoot() }
        return sampled(faceFrontDepths, from: -radiusY, step: 0.05, at: y)
    }

    static func backDepth(_ y: Float) -> Float {
        if y >= 0.05 { return 0.415 * max(0, 1 - y * y / (radiusY * radiusY)).squareRoot() }
        return sampled(backDepths, from: -radiusY, step: 0.05, at: y)
    }

    /// Soft cheekbones: a low mound under each eye, towards the side of the face.
    static func cheekBulge(_ x: Float, _ y: Float) -> Float {
        let dx = abs(x) - 0.21
        let dy = y + 0.1
        return 0.015 * expf(-(dx * dx + dy * dy) / (0.085 * 0.085))
    }

    /// The undecorated front surface of the head at (x, y): a superellipse slice, plus the cheeks.
    static func frontZ(_ x: Float, _ y: Float) -> Float {
        let a = headHalfWidth(y)
        guard a > 1e-5, abs(x) < a else { return 0 }
        let n = sampled(faceExponents, from: -radiusY, step: 0.1, at: y)
        return faceFrontDepth(y) * powf(max(0, 1 - powf(abs(x) / a, n)), 1 / n) + cheekBulge(x, y)
    }

    /// The undecorated head surface at column angle `theta` (0 = the front, +x at π/2) and latitude `phi` (0 = the
    /// crown). x follows sin θ on both halves so columns are as dense across the nose as on an ellipsoid.
    static func headSurface(theta: Float, phi: Float) -> SIMD3<Float> {
        let y = radiusY * cosf(phi)
        let x = headHalfWidth(y) * sinf(theta)
        let c = cosf(theta)
        if c >= 0 { return SIMD3(x, y, frontZ(x, y)) }
        return SIMD3(x, y, backDepth(y) * c)
    }

    // MARK: Geometry

    static func addHead(to mesh: inout Mesh) {
        // Latitude rows from crown to under the chin, longitude columns around y (0 = the front, +z).
        let rows = 56
        let cols = 72
        mesh.grid(.head, rows: rows, cols: cols, wrap: true, weight: headOnly) { r, c in
            let phi = Float.pi * Float(r) / Float(rows - 1)
            let theta = 2 * Float.pi * Float(c) / Float(cols)
            var p = headSurface(theta: theta, phi: phi)
            var colour = skin
            // The scalp under the hair is hair-coloured, so gaps between strands read as hair.
            if p.y > hairEdgeY(theta) + 0.04 { colour = hairShadow }
            if p.z > 0 {
                // Eye sockets: a sphere behind each eyeball.
                for side: Float in [1, -1] {
                    let e = eyeCentre(side: side)
                    let d2 = (p.x - e.x) * (p.x - e.x) + (p.y - e.y) * (p.y - e.y)
                    if d2 < socketRadius * socketRadius {
                        p.z = min(p.z, e.z - (socketRadius * socketRadius - d2).squareRoot() * 0.8)
                        colour = socket
                    }
                }
                // A small, stylised nose.
                let nose = expf(-(p.x * p.x) / (0.04 * 0.04) - (p.y + 0.07) * (p.y + 0.07) / (0.08 * 0.08))
                p.z += 0.065 * nose * smoothstep(-0.16, -0.02, p.y + 0.03)
                // A light blush on the cheeks.
                let blush = 0.45 * (gaussian(p, SIMD2(0.2, -0.08), 0.055) + gaussian(p, SIMD2(-0.2, -0.08), 0.055))
                if colour == skin { colour = skin + (blushColour - skin) * min(blush, 1) }
                // Mouth slot: recessed and dark, so an open jaw shows the inside of the mouth.
                let halfWidth = mouthHalfWidth * 0.95
                if abs(p.x) < halfWidth, abs(p.y - mouthY) < 0.03 {
                    p.z -= 0.06
                    colour = mouthInside
                }
            }
            let outward = SIMD3(p.x, p.y, p.z)
            return Mesh.Vertex(position: p, color: colour, param: SIMD4(theta, phi, 0, 0), outward: outward)
        }
    }

    /// Ears: flattened ellipsoids half sunk into the sides of the head, their outer faces turned a little forward
    /// (so the back edge stands off the head), with a darker hollow bowl on the outer face.
    static func addEars(to mesh: inout Mesh) {
        let rows = 10
        let cols = 14
        let turn: Float = 0.6
        for side: Float in [1, -1] {
            let centre = SIMD3<Float>(side * (headHalfWidth(-0.01) + 0.004), -0.01, -0.05)
            let out = SIMD3<Float>(side * cosf(turn), 0, sinf(turn))
            let forward = SIMD3<Float>(-side * sinf(turn), 0, cosf(turn))
            mesh.grid(.ear, rows: rows, cols: cols, wrap: true, weight: headOnly) { r, c in
                let phi = Float.pi * Float(r) / Float(rows - 1)
                let theta = 2 * Float.pi * Float(c) / Float(cols)
                let u = cosf(phi)
                let v = sinf(phi) * cosf(theta)
                var w = sinf(phi) * sinf(theta)
                // Wider at the top than at the lobe.
                let depth: Float = 0.062 * (0.8 + 0.2 * u)
                let rho = (u * u + v * v).squareRoot()
                var colour = skin
                if w > 0 {
                    w *= 1 - 0.75 * (1 - smoothstep(0.45, 0.85, rho))
                    if rho < 0.65 { colour = earShadow }
                }
                let p = centre + out * (0.03 * w) + SIMD3(0, 0.1 * u, 0) + forward * (depth * v)
                let outward = out * (w / 0.03) + SIMD3(0, u / 0.1, 0) + forward * (v / depth)
                return Mesh.Vertex(position: p, color: colour, outward: outward)
            }
        }
    }
}
