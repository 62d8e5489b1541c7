import Foundation
import OmoteCore

/// The default avatar's 52 ARKit morph targets: each shape's displacement of every vertex, by face part.
extension DefaultAvatar {
    // MARK: Morph targets

    /// Position delta of every vertex for one ARKit shape at full weight.
    static func deltas(for shape: ARKitBlendshape, mesh: Mesh) -> [SIMD3<Float>] {
        var out = [SIMD3<Float>](repeating: .zero, count: mesh.positions.count)
        for v in out.indices {
            out[v] = delta(
                shape, part: mesh.parts[v], p: mesh.positions[v], param: mesh.params[v], anchor: mesh.anchors[v])
        }
        return out
    }

    /// Which side a left/right shape acts on: +1 for …Left (the avatar's left, +x), −1 for …Right.
    static func side(of shape: ARKitBlendshape) -> Float { shape.name.hasSuffix("Right") ? -1 : 1 }

    /// How much the jaw carries a point (1 below the mouth line at the front, 0 above and at the back).
    static func jawMask(_ part: Part, _ p: SIMD3<Float>) -> Float {
        switch part {
        case .lipLower, .teethLower, .tongue: return 1
        case .head:
            return (1 - smoothstep(mouthY - 0.004, mouthY + 0.004, p.y)) * smoothstep(-0.05, 0.2, p.z)
                * smoothstep(-0.62, -0.45, p.y + 0.1)
        default: return 0
        }
    }

    static func rotateX(_ p: SIMD3<Float>, about pivot: SIMD3<Float>, _ angle: Float) -> SIMD3<Float> {
        let q = p - pivot
        let c = cosf(angle)
        let s = sinf(angle)
        return pivot + SIMD3(q.x, q.y * c - q.z * s, q.y * s + q.z * c)
    }

    static func isMouthPart(_ part: Part) -> Bool { part == .lipUpper || part == .lipLower }

    /// Weight of a mouth point towards one corner (1 at that corner, fading past the middle).
    static func cornerWeight(_ p: SIMD3<Float>, side: Float) -> Float {
        smoothstep(-0.2, 1.0, side * p.x / mouthHalfWidth)
    }
    static func halfWeight(_ p: SIMD3<Float>, side: Float) -> Float {
        smoothstep(-0.35, 0.35, side * p.x / mouthHalfWidth)
    }

    /// Region around the mouth on the face surface (the skin that follows the lips).
    static func aroundMouth(_ part: Part, _ p: SIMD3<Float>) -> Float {
        part == .head && p.z > 0 ? gaussian(p, SIMD2(0, mouthY), 0.09) : 0
    }

    /// Moves a lid's edge to `newEdge` (radians); rows in between follow proportionally.
    static func lidDelta(_ p: SIMD3<Float>, param: SIMD4<Float>, upper: Bool, newEdge: Float, thetaShift: Float = 0)
        -> SIMD3<Float>
    {
        let theta = param.x
        let fraction = param.y
        let side = param.z
        let top = upper ? upperLidTop : lowerLidBottom
        let radius = upper ? upperLidRadius : lowerLidRadius
        let phi = top + fraction * ((upper ? upperLidEdge : lowerLidEdge) - top)
        let newPhi = top + fraction * (newEdge - top)
        let centre = eyeCentre(side: side)
        return centre + radius * lidDirection(theta: theta + thetaShift * fraction, phi: newPhi)
            - (centre + radius * lidDirection(theta: theta, phi: phi))
    }

    static func delta(_ shape: ARKitBlendshape, part: Part, p: SIMD3<Float>, param: SIMD4<Float>, anchor: SIMD3<Float>)
        -> SIMD3<Float>
    {
        let s = side(of: shape)
        let isLeftPart = p.x > 0
        let onSide = (s > 0) == isLeftPart
        let degree = Float.pi / 180
        let upperLid = part == .lidUpperLeft || part == .lidUpperRight
        let lowerLid = part == .lidLowerLeft || part == .lidLowerRight
        let lidOnSide = (upperLid || lowerLid) && (param.z > 0) == (s > 0)
        let browOnSide = (part == .browLeft || part == .browRight) && (param.y > 0) == (s > 0)

        switch shape {
        // Jaw.
        case .jawOpen:
            let m = jawMask(part, p)
            return m > 0 ? m * (rotateX(p, about: jawPivot, 0.33) - p) : .zero
        case .jawForward:
            return jawMask(part, p) * SIMD3(0, 0, 0.04)
        case .jawLeft, .jawRight:
            return jawMask(part, p) * SIMD3(s * 0.05, 0, 0)
        case .mouthClose:
            // Lips meet while the jaw is open: undo the jaw's motion on the lower lip.
            if part == .lipLower { return -(rotateX(p, about: jawPivot, 0.33) - p) }
            return .zero

        // Eyes (lids only: gaze turns the eyeballs through the eye bones).
        case .eyeBlinkLeft, .eyeBlinkRight:
            if lidOnSide && upperLid { return lidDelta(p, param: param, upper: true, newEdge: -23 * degree) }
            if lidOnSide && lowerLid { return lidDelta(p, param: param, upper: false, newEdge: -20 * degree) }
            return .zero
        case .eyeSquintLeft, .eyeSquintRight:
            if lidOnSide && upperLid { return lidDelta(p, param: param, upper: true, newEdge: 12 * degree) }
            if lidOnSide && lowerLid { return lidDelta(p, param: param, upper: false, newEdge: -6 * degree) }
            return .zero
        case .eyeWideLeft, .eyeWideRight:
            if lidOnSide && upperLid { return lidDelta(p, param: param, upper: true, newEdge: 40 * degree) }
            if lidOnSide && lowerLid { return lidDelta(p, param: param, upper: false, newEdge: -32 * degree) }
            return .zero
        case .eyeLookUpLeft, .eyeLookUpRight:
            if lidOnSide && upperLid { return lidDelta(p, param: param, upper: true, newEdge: 32 * degree) }
            if lidOnSide && lowerLid { return lidDelta(p, param: param, upper: false, newEdge: -20 * degree) }
            return .zero
        case .eyeLookDownLeft, .eyeLookDownRight:
            if lidOnSide && upperLid { return lidDelta(p, param: param, upper: true, newEdge: 6 * degree) }
            if lidOnSide && lowerLid { return lidDelta(p, param: param, upper: false, newEdge: -32 * degree) }
            return .zero
        case .eyeLookInLeft, .eyeLookInRight, .eyeLookOutLeft, .eyeLookOutRight:
            // Lids drift a little with the eyeball: in = towards the nose.
            let inward = shape == .eyeLookInLeft || shape == .eyeLookInRight
            let towardsPlusX: Float = (inward ? -1 : 1) * s
            if lidOnSide && (upperLid || lowerLid) {
                let edge = upperLid ? upperLidEdge : lowerLidEdge
                return lidDelta(p, param: param, upper: upperLid, newEdge: edge, thetaShift: towardsPlusX * 5 * degree)
            }
            return .zero

        // Brows.
        case .browDownLeft, .browDownRight:
            if browOnSide { return SIMD3(-s * 0.012 * (1 - param.x), -0.03 + 0.01 * param.x, -0.004) }
            if part == .head, onSide, p.z > 0 { return gaussian(p, SIMD2(s * 0.12, 0.17), 0.05) * SIMD3(0, -0.012, 0) }
            return .zero
        case .browInnerUp:
            if part == .browLeft || part == .browRight { return SIMD3(0, 0.035 * (1 - param.x * 0.8), 0) }
            if part == .head, p.z > 0 {
                return (gaussian(p, SIMD2(0.08, 0.2), 0.05) + gaussian(p, SIMD2(-0.08, 0.2), 0.05)) * SIMD3(0, 0.012, 0)
            }
            return .zero
        case .browOuterUpLeft, .browOuterUpRight:
            if browOnSide { return SIMD3(0, 0.032 * param.x, 0) }
            return .zero

        // Cheeks and nose.
        case .cheekPuff:
            guard part == .head, p.z > 0 else { return .zero }
            let g = gaussian(p, SIMD2(0.19, -0.17), 0.08) + gaussian(p, SIMD2(-0.19, -0.17), 0.08)
            return g * 0.035 * normalized(SIMD3(p.x > 0 ? 0.8 : -0.8, 0, 0.6))
        case .cheekSquintLeft, .cheekSquintRight:
            if part == .head, p.z > 0 { return gaussian(p, SIMD2(s * 0.17, -0.08), 0.06) * SIMD3(0, 0.02, 0.004) }
            if lidOnSide && lowerLid { return 0.4 * lidDelta(p, param: param, upper: false, newEdge: -10 * degree) }
            return .zero
        case .noseSneerLeft, .noseSneerRight:
            if part == .head, p.z > 0 {
                return smoothstep(-0.01, 0.02, s * p.x) * gaussian(p, SIMD2(s * 0.045, -0.07), 0.04)
                    * SIMD3(0, 0.02, 0.005)
            }
            if part == .lipUpper { return halfWeight(p, side: s) * SIMD3(0, 0.006, 0) }
            return .zero

        // Mouth.
        case .mouthSmileLeft, .mouthSmileRight:
            let move = SIMD3<Float>(s * 0.02, 0.035, -0.012)
            if isMouthPart(part) { return cornerWeight(p, side: s) * move }
            if part == .head, p.z > 0 {
                return gaussian(p, SIMD2(s * mouthHalfWidth, mouthY), 0.05) * move * 0.8
                    + gaussian(p, SIMD2(s * 0.17, -0.12), 0.06) * SIMD3(0, 0.015, 0.008)
            }
            return .zero
        case .mouthFrownLeft, .mouthFrownRight:
            let move = SIMD3<Float>(s * 0.008, -0.03, 0)
            if isMouthPart(part) { return cornerWeight(p, side: s) * move }
            if part == .head, p.z > 0 { return gaussian(p, SIMD2(s * mouthHalfWidth, mouthY), 0.05) * move * 0.8 }
            return .zero
        case .mouthDimpleLeft, .mouthDimpleRight:
            let move = SIMD3<Float>(s * 0.015, 0, -0.02)
            if isMouthPart(part) { return cornerWeight(p, side: s) * move }
            if part == .head, p.z > 0 { return gaussian(p, SIMD2(s * (mouthHalfWidth + 0.02), mouthY), 0.035) * move }
            return .zero
        case .mouthStretchLeft, .mouthStretchRight:
            let move = SIMD3<Float>(s * 0.03, -0.012, -0.004)
            if isMouthPart(part) { return cornerWeight(p, side: s) * move }
            if part == .head, p.z > 0 { return gaussian(p, SIMD2(s * mouthHalfWidth, mouthY), 0.05) * move * 0.8 }
            return .zero
        case .mouthPressLeft, .mouthPressRight:
            guard isMouthPart(part) else { return .zero }
            let h = halfWeight(p, side: s)
            let towardsMiddle: Float = part == .lipUpper ? -0.005 : 0.005
            return h * ((anchor - p) * 0.35 + SIMD3(0, towardsMiddle, -0.002))
        case .mouthLowerDownLeft, .mouthLowerDownRight:
            if part == .lipLower { return halfWeight(p, side: s) * SIMD3(0, -0.028, 0.003) }
            if part == .teethLower { return halfWeight(p, side: s) * SIMD3(0, -0.01, 0) }
            return .zero
        case .mouthUpperUpLeft, .mouthUpperUpRight:
            if part == .lipUpper { return halfWeight(p, side: s) * SIMD3(0, 0.024, 0.003) }
            if part == .head, p.z > 0 {
                return halfWeight(p, side: s) * gaussian(p, SIMD2(s * 0.04, mouthY + 0.04), 0.03) * SIMD3(0, 0.012, 0)
            }
            return .zero
        case .mouthFunnel:
            guard isMouthPart(part) else { return .zero }
            let open: Float = part == .lipUpper ? 0.014 : -0.014
            return SIMD3(-p.x * 0.3, open * (1 - (p.x / mouthHalfWidth) * (p.x / mouthHalfWidth)), 0.03)
        case .mouthPucker:
            if isMouthPart(part) { return SIMD3(-p.x * 0.45, part == .lipUpper ? -0.003 : 0.003, 0.04) }
            if part == .head { return aroundMouth(part, p) * SIMD3(-p.x * 0.3, 0, 0.015) }
            return .zero
        case .mouthLeft, .mouthRight:
            if isMouthPart(part) || part == .teethUpper || part == .teethLower {
                return SIMD3(s * 0.04, 0, -0.003 * s * p.x / mouthHalfWidth)
            }
            if part == .head { return aroundMouth(part, p) * SIMD3(s * 0.035, 0, 0) }
            return .zero
        case .mouthRollLower:
            if part == .lipLower { return (anchor + SIMD3(0, 0.008, -0.016)) + (p - anchor) * 0.5 - p }
            return .zero
        case .mouthRollUpper:
            if part == .lipUpper { return (anchor + SIMD3(0, -0.008, -0.016)) + (p - anchor) * 0.5 - p }
            return .zero
        case .mouthShrugLower:
            if part == .lipLower { return SIMD3(0, 0.014, 0.01) }
            if part == .head, p.z > 0, p.y < mouthY {
                return gaussian(p, SIMD2(0, mouthY - 0.1), 0.07) * SIMD3(0, 0.015, 0.012)
            }
            return .zero
        case .mouthShrugUpper:
            if part == .lipUpper { return SIMD3(0, 0.012, 0.006) }
            return .zero
        case .tongueOut:
            return part == .tongue ? SIMD3(0, -0.012, 0.11) : .zero
        }
    }
}
