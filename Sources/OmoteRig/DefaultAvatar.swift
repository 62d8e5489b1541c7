import Foundation
import OmoteCore

extension RigModel {
    /// Omote's built-in avatar, generated in code: a stylised head (jaw and chin, cheeks, hair with a fringe and
    /// side locks, ears, eye sockets, nose, eyes with irises and pupils, upper and lower eyelids, brows, lips, teeth,
    /// tongue) on a neck and shoulders in a top, with vertex colours, neck/head/eye bones (the body stays put) and a
    /// morph target for each of the 52 ARKit shapes (with normal deltas).
    public static func defaultAvatar() -> RigModel { DefaultAvatar.model }
}

/// The generator. Dimensions are in model units (head height 1 without the hair, head centre at the origin, +x = the
/// avatar's left). The head, hair, ears and body live in their own files.
enum DefaultAvatar {
    static let model: RigModel = build()

    enum Part: UInt8 {
        case head, eyeLeft, eyeRight, lidUpperLeft, lidLowerLeft, lidUpperRight, lidLowerRight, browLeft, browRight
        case lipUpper, lipLower, teethUpper, teethLower, tongue, neck, hair, ear, torso
    }

    /// Half the head's height (crown to under the chin).
    static let radiusY: Float = 0.5

    // Features.
    static let eyeY: Float = 0.07, eyeX: Float = 0.14, eyeRadius: Float = 0.065
    /// The eyeballs sit a little behind the face surface, in their sockets.
    static let eyeZ: Float = frontZ(eyeX, eyeY) - 0.035
    static let socketRadius: Float = 0.08
    static let upperLidRadius: Float = 0.073, lowerLidRadius: Float = 0.070
    static let upperLidTop: Float = 55 * .pi / 180, upperLidEdge: Float = 27 * .pi / 180
    static let lowerLidBottom: Float = -60 * .pi / 180, lowerLidEdge: Float = -25 * .pi / 180
    static let lidHalfWidth: Float = 75 * .pi / 180
    static let mouthY: Float = -0.24, mouthHalfWidth: Float = 0.11
    static let jawPivot = SIMD3<Float>(0, -0.1, 0)
    static let neckPivot = SIMD3<Float>(0, -0.66, -0.05), headPivot = SIMD3<Float>(0, -0.35, -0.05)

    static func eyeCentre(side: Float) -> SIMD3<Float> { SIMD3(side * eyeX, eyeY, eyeZ) }

    static let skin = SIMD4<Float>(0.96, 0.80, 0.70, 1)
    static let blushColour = SIMD4<Float>(0.97, 0.66, 0.62, 1)
    static let earShadow = SIMD4<Float>(0.86, 0.62, 0.56, 1)
    static let hairColour = SIMD4<Float>(0.30, 0.18, 0.12, 1)
    static let hairHighlight = SIMD4<Float>(0.55, 0.38, 0.26, 1)
    static let hairShadow = SIMD4<Float>(0.17, 0.10, 0.07, 1)
    static let shirtColour = SIMD4<Float>(0.30, 0.42, 0.62, 1)
    static let collarColour = SIMD4<Float>(0.93, 0.93, 0.90, 1)
    static let lash = SIMD4<Float>(0.16, 0.10, 0.08, 1)
    static let socket = SIMD4<Float>(0.92, 0.75, 0.66, 1)
    static let mouthInside = SIMD4<Float>(0.35, 0.08, 0.10, 1)
    static let lip = SIMD4<Float>(0.80, 0.38, 0.40, 1)
    static let brow = SIMD4<Float>(0.25, 0.16, 0.10, 1)
    static let sclera = SIMD4<Float>(0.95, 0.95, 0.95, 1)
    static let iris = SIMD4<Float>(0.30, 0.50, 0.75, 1)
    static let pupil = SIMD4<Float>(0.05, 0.05, 0.07, 1)
    static let teeth = SIMD4<Float>(0.97, 0.97, 0.94, 1)
    static let tongueColour = SIMD4<Float>(0.85, 0.35, 0.40, 1)

    /// Mesh under construction, with per-vertex tags the morph-target functions need.
    struct Mesh {
        var positions: [SIMD3<Float>] = []
        var colors: [SIMD4<Float>] = []
        var parts: [Part] = []
        /// Part-specific parameters (e.g. eyelid: column angle, row fraction, side; lips: position along the lip).
        var params: [SIMD4<Float>] = []
        /// Tube centre line point for lips and brows.
        var anchors: [SIMD3<Float>] = []
        var weights: [SIMD4<Float>] = []
        var indices: [UInt32] = []

        struct Vertex {
            var position: SIMD3<Float>
            var color: SIMD4<Float>
            var param = SIMD4<Float>.zero
            var anchor = SIMD3<Float>.zero
            var outward: SIMD3<Float>
        }

        /// A rows × cols grid of vertices (optionally closed along columns), triangulated and oriented so its
        /// triangles face the `outward` directions the vertex function gives.
        mutating func grid(
            _ part: Part, rows: Int, cols: Int, wrap: Bool, weight: (SIMD3<Float>) -> SIMD4<Float>,
            _ vertex: (Int, Int) -> Vertex
        ) {
            let base = UInt32(positions.count)
            var outward: [SIMD3<Float>] = []
            for r in 0 ..< rows {
                for c in 0 ..< cols {
                    let v = vertex(r, c)
                    positions.append(v.position)
                    colors.append(v.color)
                    parts.append(part)
                    params.append(v.param)
                    anchors.append(v.anchor)
                    weights.append(weight(v.position))
                    outward.append(v.outward)
                }
            }
            var tris: [UInt32] = []
            var facing: Float = 0
            for r in 0 ..< rows - 1 {
                for c in 0 ..< (wrap ? cols : cols - 1) {
                    let c1 = (c + 1) % cols
                    let a = r * cols + c
                    let b = r * cols + c1
                    let d = (r + 1) * cols + c
                    let e = (r + 1) * cols + c1
                    for (i, j, k) in [(a, b, d), (b, e, d)] {
                        let pi = positions[Int(base) + i]
                        let pj = positions[Int(base) + j]
                        let pk = positions[Int(base) + k]
                        let n = cross(pj - pi, pk - pi)
                        facing += dot(n, outward[i] + outward[j] + outward[k])
                        tris += [base + UInt32(i), base + UInt32(j), base + UInt32(k)]
                    }
                }
            }
            if facing < 0 {
                for t in stride(from: 0, to: tris.count, by: 3) { tris.swapAt(t + 1, t + 2) }
            }
            indices += tris
        }
    }

    static func headOnly(_: SIMD3<Float>) -> SIMD4<Float> { SIMD4(0, 1, 0, 0) }

    static func smoothstep(_ e0: Float, _ e1: Float, _ x: Float) -> Float {
        let t = min(max((x - e0) / (e1 - e0), 0), 1)
        return t * t * (3 - 2 * t)
    }

    static func gaussian(_ p: SIMD3<Float>, _ centre: SIMD2<Float>, _ radius: Float) -> Float {
        let d = SIMD2(p.x, p.y) - centre
        return expf(-(d * d).sum() / (radius * radius))
    }

    // MARK: Geometry

    static func buildMesh() -> Mesh {
        var mesh = Mesh()

        addHead(to: &mesh)
        addEars(to: &mesh)

        // Eyeballs: latitude rings around the forward axis so iris and pupil are rings of rows.
        let ringAngles: [Float] = [0, 6, 11, 16, 22, 28, 40, 55, 70, 90, 110, 130, 150, 170, 180].map { $0 * .pi / 180 }
        for side: Float in [1, -1] {
            let centre = eyeCentre(side: side)
            let bone = side > 0 ? SIMD4<Float>(0, 0, 1, 0) : SIMD4<Float>(0, 0, 0, 1)
            mesh.grid(
                side > 0 ? .eyeLeft : .eyeRight, rows: ringAngles.count, cols: 24, wrap: true, weight: { _ in bone }
            ) { r, c in
                let alpha = ringAngles[r]
                let beta = 2 * Float.pi * Float(c) / 24
                let dir = SIMD3(sinf(alpha) * cosf(beta), sinf(alpha) * sinf(beta), cosf(alpha))
                let colour = alpha <= 11.5 * .pi / 180 ? pupil : alpha <= 28.5 * .pi / 180 ? iris : sclera
                return Mesh.Vertex(position: centre + eyeRadius * dir, color: colour, outward: dir)
            }
        }

        // Eyelids: spherical shells in front of the eyeballs. Params: (column angle, row fraction 0 top…1 edge,
        // side, 0) so the blink/squint/wide targets can move the edge along the shell.
        for side: Float in [1, -1] {
            let centre = eyeCentre(side: side)
            for upper in [true, false] {
                let part: Part =
                    side > 0 ? (upper ? .lidUpperLeft : .lidLowerLeft) : (upper ? .lidUpperRight : .lidLowerRight)
                let radius = upper ? upperLidRadius : lowerLidRadius
                mesh.grid(part, rows: 7, cols: 24, wrap: false, weight: headOnly) { r, c in
                    let fraction = Float(r) / 6
                    let theta = -lidHalfWidth + 2 * lidHalfWidth * Float(c) / 23
                    let phi =
                        upper
                        ? upperLidTop + fraction * (upperLidEdge - upperLidTop)
                        : lowerLidBottom + fraction * (lowerLidEdge - lowerLidBottom)
                    let dir = lidDirection(theta: theta, phi: phi)
                    // The upper lid's edge is a dark lash line.
                    let colour = r == 6 ? (upper ? lash : socket) : r == 5 && upper ? lash : skin
                    return Mesh.Vertex(
                        position: centre + radius * dir, color: colour,
                        param: SIMD4(theta, fraction, side, 0), outward: dir)
                }
            }
        }

        // Brows: flat tubes along a curve above each eye. Param x: 0 at the inner end … 1 at the outer end.
        for side: Float in [1, -1] {
            mesh.grid(side > 0 ? .browLeft : .browRight, rows: 16, cols: 6, wrap: true, weight: headOnly) { r, c in
                let s = Float(r) / 15
                let x = side * (0.06 + 0.18 * s)
                let y: Float = 0.18 + 0.035 * sinf(.pi * (0.3 + 0.7 * s)) - 0.02 * s
                let anchor = SIMD3(x, y, frontZ(x, y) + 0.012)
                let a = 2 * Float.pi * Float(c) / 6
                let offset = SIMD3<Float>(0, 0.013 * (1 - 0.4 * s) * sinf(a), 0.008 * cosf(a))
                return Mesh.Vertex(
                    position: anchor + offset, color: brow, param: SIMD4(s, side, 0, 0), anchor: anchor,
                    outward: SIMD3(0, offset.y, offset.z))
            }
        }

        // Lips: tubes along the mouth line. Param x: −1 (right corner) … +1 (left corner).
        for upper in [true, false] {
            mesh.grid(upper ? .lipUpper : .lipLower, rows: 25, cols: 8, wrap: true, weight: headOnly) { r, c in
                let s = -1 + 2 * Float(r) / 24
                let x = s * mouthHalfWidth
                let bulge = 1 - s * s
                let y = upper ? mouthY + 0.012 + 0.010 * bulge : mouthY - 0.013 - 0.008 * bulge
                let anchor = SIMD3(x, y, frontZ(x, y) + 0.004)
                let thickness: Float = (upper ? 0.013 : 0.016) * (0.35 + 0.65 * bulge)
                let a = 2 * Float.pi * Float(c) / 8
                let offset = SIMD3<Float>(0, thickness * sinf(a), 0.012 * (0.4 + 0.6 * bulge) * cosf(a))
                return Mesh.Vertex(
                    position: anchor + offset, color: lip, param: SIMD4(s, 0, 0, 0), anchor: anchor,
                    outward: SIMD3(0, offset.y, offset.z))
            }
        }

        // Teeth: a strip behind each lip.
        for upper in [true, false] {
            mesh.grid(upper ? .teethUpper : .teethLower, rows: 2, cols: 13, wrap: false, weight: headOnly) { r, c in
                let s = -1 + 2 * Float(c) / 12
                let x = s * mouthHalfWidth * 0.75
                let top = upper ? mouthY + 0.012 : mouthY - 0.004
                let y = top - Float(r) * 0.016
                let z = frontZ(x, mouthY) - 0.035 - 0.03 * s * s
                return Mesh.Vertex(
                    position: SIMD3(x, y, z), color: teeth, param: SIMD4(s, 0, 0, 0), outward: SIMD3(0, 0, 1))
            }
        }

        // Tongue: a flattened ellipsoid inside the mouth.
        let tongueCentre = SIMD3<Float>(0, mouthY - 0.03, frontZ(0, mouthY) - 0.09)
        mesh.grid(.tongue, rows: 8, cols: 12, wrap: true, weight: headOnly) { r, c in
            let phi = Float.pi * Float(r) / 7
            let theta = 2 * Float.pi * Float(c) / 12
            let dir = SIMD3(sinf(phi) * sinf(theta), cosf(phi), sinf(phi) * cosf(theta))
            return Mesh.Vertex(
                position: tongueCentre + dir * SIMD3(0.055, 0.018, 0.06), color: tongueColour, outward: dir)
        }

        addHair(to: &mesh)
        addBody(to: &mesh)
        return mesh
    }

    static func lidDirection(theta: Float, phi: Float) -> SIMD3<Float> {
        SIMD3(sinf(theta) * cosf(phi), sinf(phi), cosf(theta) * cosf(phi))
    }

    // MARK: Assembly

    static func build() -> RigModel {
        let mesh = buildMesh()
        let normals = computeVertexNormals(positions: mesh.positions, indices: mesh.indices)
        var builder = RigModelBuilder(name: "Omote default avatar", format: .builtIn)
        builder.positions = mesh.positions
        builder.normals = normals
        builder.colors = mesh.colors
        builder.indices = mesh.indices
        builder.faceBoneWeights = mesh.weights
        builder.uvs = []
        builder.faceBonePivots = [
            .neck: neckPivot, .head: headPivot, .leftEye: eyeCentre(side: 1), .rightEye: eyeCentre(side: -1),
        ]
        for shape in ARKitBlendshape.allCases {
            let d = deltas(for: shape, mesh: mesh)
            // Normal deltas from the fully deformed mesh, kept where the normal visibly changes.
            let moved = zip(mesh.positions, d).map { $0 + $1 }
            let movedNormals = computeVertexNormals(positions: moved, indices: mesh.indices)
            var target = RigModelBuilder.Target(name: shape.name)
            for v in d.indices {
                let dn = movedNormals[v] - normals[v]
                guard length(d[v]) > 1e-6 || length(dn) > 1e-3 else { continue }
                target.indices.append(UInt32(v))
                target.deltas.append(length(d[v]) > 1e-6 ? d[v] : .zero)
                target.normalDeltas.append(dn)
            }
            builder.targets.append(target)
        }
        return builder.build()
    }
}
