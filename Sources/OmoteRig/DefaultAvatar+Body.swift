import Foundation

/// The default avatar's neck and upper body: a neck that blends from the static body into the head, and shoulders in
/// a simple top with a collar, which never move (head-and-shoulders framing shows a character, not a floating head).
extension DefaultAvatar {
    /// The top's outline from the collar's inner lip down past the bottom of the picture: (half-width, y, half-depth)
    /// along the shoulder line, joined smoothly.
    static let torsoProfile: [SIMD3<Float>] = [
        SIMD3(0.15, -0.70, 0.135), SIMD3(0.175, -0.68, 0.16), SIMD3(0.205, -0.705, 0.18), SIMD3(0.31, -0.76, 0.195),
        SIMD3(0.45, -0.82, 0.21), SIMD3(0.58, -0.88, 0.22), SIMD3(0.66, -0.95, 0.227), SIMD3(0.69, -1.04, 0.23),
        SIMD3(0.69, -1.20, 0.23), SIMD3(0.65, -1.75, 0.225),
    ]
    static let bodyCentreZ: Float = -0.05
    /// Profile points that are the collar (a lighter trim).
    static let collarPoints = 3

    static func profilePoint(_ t: Float) -> SIMD3<Float> {
        let points = torsoProfile
        let i = min(Int(t), points.count - 2)
        let f = t - Float(i)
        let p0 = points[max(i - 1, 0)]
        let p1 = points[i]
        let p2 = points[i + 1]
        let p3 = points[min(i + 2, points.count - 1)]
        // Catmull-Rom, spelled out in steps for the type checker.
        let cubic: SIMD3<Float> = 3 * (p1 - p2) + p3 - p0
        let quadratic: SIMD3<Float> = 2 * p0 - 5 * p1 + 4 * p2 - p3
        let linear: SIMD3<Float> = p2 - p0
        return p1 + 0.5 * f * (linear + f * (quadratic + f * cubic))
    }

    static func addBody(to mesh: inout Mesh) {
        // Neck: an open tube from inside the top to inside the head, blending from the body (static) through the
        // neck bone into the head.
        mesh.grid(
            .neck, rows: 10, cols: 20, wrap: true,
            weight: { p in
                let head = smoothstep(-0.48, -0.3, p.y)
                let neck = smoothstep(-0.78, -0.56, p.y) * (1 - head)
                return SIMD4(neck, head, 0, 0)
            }
        ) { r, c in
            let y = -0.85 + 0.57 * Float(r) / 9
            let a = 2 * Float.pi * Float(c) / 20
            let dir = SIMD3(sinf(a), 0, cosf(a))
            // Slightly thicker at the base; shaded a touch darker under the chin.
            let flare = 1 + 0.15 * smoothstep(-0.6, -0.8, y)
            return Mesh.Vertex(
                position: SIMD3(0.13 * flare * dir.x, y, bodyCentreZ + 0.12 * flare * dir.z),
                color: skin * SIMD4(0.93, 0.9, 0.9, 1), outward: dir)
        }

        // The top: horizontal superellipse slices along the profile, boxier over the chest than at the collar.
        let subdivisions = 3
        let rows = (torsoProfile.count - 1) * subdivisions + 1
        mesh.grid(.torso, rows: rows, cols: 48, wrap: true, weight: { _ in .zero }) { r, c in
            let t = Float(r) / Float(subdivisions)
            let slice = profilePoint(t)
            let a = 2 * Float.pi * Float(c) / 48
            let n: Float = 2 + 0.6 * smoothstep(1, 4, t)
            let s = sinf(a)
            let cs = cosf(a)
            let x = slice.x * (s < 0 ? -1 : 1) * powf(abs(s), 2 / n)
            let z = slice.z * (cs < 0 ? -1 : 1) * powf(abs(cs), 2 / n)
            var colour = t < Float(collarPoints - 1) + 0.01 ? collarColour : shirtColour
            // A soft fold line down the front and shading under the arms keep the big flat area from looking flat.
            if t >= Float(collarPoints - 1) + 0.01 { colour *= SIMD4(SIMD3(repeating: 1 - 0.08 * abs(s) * abs(s)), 1) }
            return Mesh.Vertex(
                position: SIMD3(x, slice.y, bodyCentreZ + z), color: colour,
                outward: SIMD3(s / max(slice.x, 1e-3), 0, cs / max(slice.z, 1e-3)))
        }
    }
}
