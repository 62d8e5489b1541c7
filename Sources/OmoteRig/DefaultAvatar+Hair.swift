import Foundation

/// The default avatar's hair: a shell with volume over the top, back and sides of the skull, a fringe of pointed
/// strands that stops above the brows, a lock in front of each ear, and its edge folded under so it has thickness.
extension DefaultAvatar {
    static let hairColumns = 96
    /// Fringe strands are five columns wide, so every tip and notch falls on a column.
    static let strandWidth = 5 * 2 * Float.pi / Float(hairColumns)
    /// Where the lock in front of each ear hangs (13 columns from the front).
    static let lockAngle = 13 * 2 * Float.pi / Float(hairColumns)

    /// Distance of `t` (in strand widths) from the nearest strand tip, 0…1 (1 at the notch between two strands).
    static func strandNotch(_ t: Float) -> Float { 2 * abs(t - t.rounded()) }

    /// Height of the hair's lower edge on the head at column angle `theta` (0 = the front).
    static func hairEdgeY(_ theta: Float) -> Float {
        var angle = theta.truncatingRemainder(dividingBy: 2 * .pi)
        if angle > .pi { angle -= 2 * .pi }
        if angle < -.pi { angle += 2 * .pi }
        let a = abs(angle)
        // Fringe: pointed strands with tips at 0.245 (above the brows, even raised), notches at 0.335.
        let fringe = 0.245 + 0.09 * powf(strandNotch(angle / strandWidth), 0.8)
        // Behind the lock the side hair comes down to the middle of the ear in front of it, clears the ear, then
        // falls to the nape at the back (in a few broad strands).
        let temple = 0.29 - 0.27 * smoothstep(0.8, 1.0, a)
        let ear = 0.02 + 0.11 * smoothstep(1.22, 1.4, a)
        let nape = -0.30 + 0.04 * powf(strandNotch(angle / (1.4 * strandWidth)), 0.8)
        var edge = a < 0.72 ? fringe : a < 1.1 ? temple : a < 1.9 ? ear : 0.13
        if a > 1.9 { edge = 0.13 + (nape - 0.13) * smoothstep(1.9, 2.25, a) }
        // The lock: a long pointed strand falling to cheek level.
        let lock = -0.1 + 2.6 * powf(abs(a - lockAngle), 1.1)
        return min(edge, lock)
    }

    static func addHair(to mesh: inout Mesh) {
        let outerRows = 24
        // Under the edge: back up and in towards the scalp, so the edge shows a thickness.
        let fold: [(phiBack: Float, thickness: Float)] = [(0.012, 0.6), (0.05, 0.12)]
        let cols = hairColumns
        let centre = SIMD3<Float>(0, -0.02, -0.02)
        mesh.grid(.hair, rows: outerRows + fold.count, cols: cols, wrap: true, weight: headOnly) { r, c in
            let theta = 2 * Float.pi * Float(c) / Float(cols)
            let edgePhi = acosf(min(max(hairEdgeY(theta) / radiusY, -1), 1))
            let fraction = min(Float(r) / Float(outerRows - 1), 1)
            // Fuller over the crown and the back, thinning to the strand ends; clumps around the head.
            let backness = smoothstep(0.5, 2.5, abs(sinf(theta / 2)) * .pi)
            let full: Float = 0.075 + 0.015 * backness
            let clumps = 1 + 0.12 * cosf(theta * 16)
            let edgeThickness = full * 0.3
            var phi = edgePhi * fraction
            var thickness = full * clumps * (0.3 + 0.7 * (1 - powf(fraction, 5)))
            var colour = hairColour
            if r >= outerRows {
                let step = fold[r - outerRows]
                phi = edgePhi - step.phiBack
                thickness = edgeThickness * step.thickness
                colour = hairShadow
            } else {
                // A glossy band across the crown, broken up by the clumps.
                let ring = expf(-(fraction - 0.42) * (fraction - 0.42) / (0.09 * 0.09)) * max(0, cosf(theta * 16))
                colour = hairColour + (hairHighlight - hairColour) * ring
            }
            let skull = headSurface(theta: theta, phi: phi)
            let out = normalized(skull - centre)
            return Mesh.Vertex(
                position: skull + out * thickness, color: colour, param: SIMD4(theta, fraction, 0, 0), outward: out)
        }
    }
}
