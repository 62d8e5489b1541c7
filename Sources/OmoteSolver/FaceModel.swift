import OmoteCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Omote's 3D landmark face model: the 68 iBUG/dlib points of an average adult face in millimetres, a few identity
/// modes, and for every ARKit shape that moves any of those points an anatomical displacement field.
/// See Docs/solver.md for the measurements behind the numbers and the FACS action unit behind each shape.
/// Long because it is mostly data: the mean face, the identity modes and one displacement table per shape.
///
/// Head frame (canonical): origin at the nasion (bridge of the nose between the eyes), +x toward the subject's LEFT
/// (the right of an unmirrored camera image), +y down, +z into the head (away from a camera the face looks at). With
/// the identity rotation the face therefore looks straight into a camera whose axes are +x right, +y down, +z forward.
package enum FaceModel {
    package static let pointCount = 68

    /// The neutral face. Proportions from adult anthropometry (Farkas): inner canthi 32 mm apart, outer canthi 94 mm,
    /// palpebral fissure 30 × 9 mm, nasion→subnasale 45 mm, mouth 50 mm wide, stomion 67 mm and menton 111 mm below
    /// the nasion, the contour's top (points 0/16) in front of the ears 144 mm apart. Depths (z) are those of a
    /// typical profile: nose tip 32 mm in front of the nasion, lips 20 mm, outer canthi 6 mm behind it.
    package static let neutral: [SIMD3<Float>] = [
        // Jaw contour 0–16, from the subject's right ear round the chin to the left ear.
        SIMD3(-72, 5, 70), SIMD3(-71, 24, 68), SIMD3(-68, 43, 63), SIMD3(-64, 61, 56), SIMD3(-57, 77, 46),
        SIMD3(-48, 91, 34), SIMD3(-36, 101, 21), SIMD3(-19, 108, 9), SIMD3(0, 111, 5),
        SIMD3(19, 108, 9), SIMD3(36, 101, 21), SIMD3(48, 91, 34), SIMD3(57, 77, 46),
        SIMD3(64, 61, 56), SIMD3(68, 43, 63), SIMD3(71, 24, 68), SIMD3(72, 5, 70),
        // Right brow 17 (outer) … 21 (inner); left brow 22 (inner) … 26 (outer).
        SIMD3(-58, -20, 12), SIMD3(-48, -28, 2), SIMD3(-36, -30, -4), SIMD3(-24, -28, -8), SIMD3(-12, -23, -10),
        SIMD3(12, -23, -10), SIMD3(24, -28, -8), SIMD3(36, -30, -4), SIMD3(48, -28, 2), SIMD3(58, -20, 12),
        // Nose bridge 27 (nasion) … 30 (tip).
        SIMD3(0, -2, -10), SIMD3(0, 10, -17), SIMD3(0, 21, -25), SIMD3(0, 32, -32),
        // Nostrils 31 (right wing) … 33 (subnasale) … 35 (left wing).
        SIMD3(-14, 42, -14), SIMD3(-7, 44, -20), SIMD3(0, 45, -22), SIMD3(7, 44, -20), SIMD3(14, 42, -14),
        // Right eye: 36 outer corner, 37–38 upper lid, 39 inner corner, 40–41 lower lid.
        SIMD3(-47, 2, 6), SIMD3(-39, -3, 0), SIMD3(-29, -3, -1), SIMD3(-17, 2, 0), SIMD3(-29, 6, -1), SIMD3(-39, 6, 0),
        // Left eye: 42 inner corner, 43–44 upper lid, 45 outer corner, 46–47 lower lid.
        SIMD3(17, 2, 0), SIMD3(29, -3, -1), SIMD3(39, -3, 0), SIMD3(47, 2, 6), SIMD3(39, 6, 0), SIMD3(29, 6, -1),
        // Outer lips: 48 right corner, 49–53 upper lip, 54 left corner, 55–59 lower lip.
        SIMD3(-25, 68, -8), SIMD3(-16, 63, -17), SIMD3(-7, 61, -22), SIMD3(0, 62, -23), SIMD3(7, 61, -22),
        SIMD3(16, 63, -17), SIMD3(25, 68, -8), SIMD3(16, 75, -15), SIMD3(7, 78, -19), SIMD3(0, 79, -20),
        SIMD3(-7, 78, -19), SIMD3(-16, 75, -15),
        // Inner lips: 60 right corner, 61–63 upper, 64 left corner, 65–67 lower.
        SIMD3(-21, 68, -10), SIMD3(-8, 67, -19), SIMD3(0, 67, -20), SIMD3(8, 67, -19),
        SIMD3(21, 68, -10), SIMD3(8, 68, -19), SIMD3(0, 68, -20), SIMD3(-8, 68, -19),
    ]

    /// `mirrorIndex[k]` is the landmark that point k becomes in a horizontally mirrored image (dlib's 68-point order
    /// is not mirror-symmetric by index: the jaw runs 0…16, brows 17…26, the eye rings turn the same way, …).
    package static let mirrorIndex: [Int] = {
        var map = Array(0 ..< 68)
        func pair(_ a: Int, _ b: Int) {
            map[a] = b
            map[b] = a
        }
        for i in 0 ... 7 { pair(i, 16 - i) }
        for i in 0 ... 4 { pair(17 + i, 26 - i) }
        pair(31, 35)
        pair(32, 34)
        pair(36, 45)
        pair(37, 44)
        pair(38, 43)
        pair(39, 42)
        pair(40, 47)
        pair(41, 46)
        pair(48, 54)
        pair(49, 53)
        pair(50, 52)
        pair(55, 59)
        pair(56, 58)
        pair(60, 64)
        pair(61, 63)
        pair(65, 67)
        return map
    }()

    /// How much each landmark is trusted in the fit. dlib's jaw contour slides along the silhouette (its points are
    /// poorly defined tangentially), so it counts less; the chin less so, because it carries jaw opening.
    package static let landmarkWeights: [Float] = (0 ..< 68).map { k in
        switch k {
        case 0 ... 4, 12 ... 16: 0.3
        case 5 ... 11: 0.6
        case 17 ... 26: 0.8
        default: 1
        }
    }

    // MARK: Jaw

    /// The temporomandibular joints' hinge axis (the head frame's x axis through this point): just in front of the
    /// ear canal, 85 mm behind and 8 mm below the nasion. Opening is modelled as pure hinge rotation: the condyles'
    /// forward glide at wide opening (≈ 10 mm) mostly moves the chin toward the camera, which a frontal view barely
    /// sees, so it is folded into the hinge angle.
    package static let jawPivot = SIMD3<Float>(0, 8, 85)
    /// jawOpen = 1 ↔ 23° of mandible rotation (≈ 45 mm between the incisors, a wide-open mouth).
    package static let jawOpenMaxRadians: Float = 0.40
    /// jawLeft/Right = 1 ↔ the mandible turned 6° about the vertical axis (≈ 9 mm of chin shift).
    package static let jawLateralMaxRadians: Float = 0.10

    /// How rigidly each landmark follows the mandible (1 = bone-attached chin/lower lip, 0 = upper face).
    /// The contour's upper points lie on the ramus near the hinge; the lip corners are shared by both lips.
    package static let jawAttachment: [Float] = (0 ..< 68).map { k in
        switch k {
        case 5 ... 11, 56 ... 58, 65 ... 67: 1
        case 55, 59: 0.9
        case 4, 12: 0.8
        case 3, 13: 0.55
        case 2, 14: 0.3
        case 1, 15: 0.1
        case 48, 54: 0.45
        case 60, 64: 0.5
        default: 0
        }
    }

    /// Applies the mandible rotation (opening angle about the hinge's x axis, then the lateral turn about the vertical
    /// axis through the hinge) to a head-frame point with attachment `a`.
    @inline(__always)
    package static func jawTransform(_ p: SIMD3<Float>, attachment a: Float, open: Float, lateral: Float) -> SIMD3<
        Float
    > {
        guard a > 0 else { return p }
        let v = p - jawPivot
        let psi = -a * lateral * jawLateralMaxRadians  // jawLeft (+) moves the chin toward +x
        let (sp, cp) = (sinf(psi), cosf(psi))
        let u = SIMD3(v.x * cp + v.z * sp, v.y, -v.x * sp + v.z * cp)
        let phi = a * open * jawOpenMaxRadians
        let (sf, cf) = (sinf(phi), cosf(phi))
        return jawPivot + SIMD3(u.x, u.y * cf - u.z * sf, u.y * sf + u.z * cf)
    }

    // MARK: Identity

    /// Identity modes: one unit ≈ one standard deviation of adult variation, in millimetres at the moving points.
    /// Overall size is not a mode: under perspective it trades off against distance, so the model keeps average size.
    package enum IdentityMode: Int, CaseIterable, Sendable {
        case faceWidth, lowerFaceHeight, eyeSpacing, noseLength, mouthWidth, browHeight
    }

    package static let identityModeCount = IdentityMode.allCases.count

    /// The displacement field of one identity mode over the neutral face.
    package static func identityField(_ mode: IdentityMode) -> [SIMD3<Float>] {
        var field = [SIMD3<Float>](repeating: .zero, count: 68)
        for k in 0 ..< 68 {
            let p = neutral[k]
            switch mode {
            case .faceWidth:  // bizygomatic/bigonial breadth: sd ≈ 6 mm at the contour
                if k <= 16 {
                    field[k].x = p.x * 0.06
                } else if k >= 17, k <= 26 || (k >= 36 && k <= 47) {
                    field[k].x = p.x * 0.015
                }
            case .lowerFaceHeight:  // subnasale→menton: sd ≈ 5 mm at the chin, scaling everything below the nose
                if p.y > 45, k != 33 { field[k].y = (p.y - 45) * 0.075 }
            case .eyeSpacing:  // intercanthal width: sd ≈ 2 mm per side
                if (36 ... 47).contains(k) { field[k].x = p.x > 0 ? 2 : -2 }
                if (17 ... 26).contains(k) { field[k].x = p.x > 0 ? 1 : -1 }
            case .noseLength:  // nasion→subnasale: sd ≈ 3 mm, the bridge stretching linearly from the nasion
                if (28 ... 30).contains(k) { field[k].y = 3 * p.y / 45 }
                if (31 ... 35).contains(k) { field[k].y = 3 }
            case .mouthWidth:  // cheilion breadth: sd ≈ 3 mm at each corner
                if (48 ... 67).contains(k) { field[k].x = p.x * 0.12 }
            case .browHeight:  // brow-to-eye distance: sd ≈ 3 mm
                if (17 ... 26).contains(k) { field[k].y = -3 }
            }
        }
        return field
    }

    // MARK: Expressions

    /// Neutral plus identity: the face whose expressions the fields deform.
    package static func identityFace(_ identity: [Float]) -> [SIMD3<Float>] {
        var face = neutral
        for mode in IdentityMode.allCases where mode.rawValue < identity.count && identity[mode.rawValue] != 0 {
            let field = identityField(mode)
            for k in 0 ..< 68 { face[k] += identity[mode.rawValue] * field[k] }
        }
        return face
    }

    /// The displacement field (mm at weight 1) of `shape` on `face` (a neutral face; fields that depend on the face's
    /// own geometry, such as lids closing onto the lower lid, are built from it), or nil when the shape moves none of
    /// the 68 points. Jaw shapes are rotations: their field here is the chord of the full rotation (for display and
    /// synthesis), the solver itself rotates. Right-side fields are the exact mirror images of the left-side ones.
    package static func displacementField(_ shape: ARKitBlendshape, face: [SIMD3<Float>] = neutral) -> [SIMD3<Float>]? {
        if let left = leftCounterpart(of: shape) {
            guard let field = displacementField(left, face: mirrorFace(face)) else { return nil }
            return mirrorFace(field)  // a field mirrors as a face does: point k from its mirror point, x negated
        }
        var d = [SIMD3<Float>](repeating: .zero, count: 68)
        func set(_ k: Int, _ x: Float, _ y: Float, _ z: Float = 0) { d[k] = SIMD3(x, y, z) }
        switch shape {
        case .browDownLeft:  // AU4 (corrugator + depressor supercilii): brow lowered and drawn medially
            set(22, -2.5, 6, -1)
            set(23, -1.5, 5.5, -0.5)
            set(24, -0.5, 4.5)
            set(25, 0, 3.5)
            set(26, 0, 2.5)
            set(43, 0, 0.6)
            set(44, 0, 0.5)
        case .browInnerUp:  // AU1 (medial frontalis): inner brow ends raised, outer ends barely
            for (k, lift) in [
                (21, 7.0), (22, 7.0), (20, 5.5), (23, 5.5), (19, 3.5), (24, 3.5), (18, 1.5), (25, 1.5), (17, 0.5),
                (26, 0.5),
            ] {
                set(k, 0, Float(-lift))
            }
            set(38, 0, -0.6)
            set(43, 0, -0.6)
        case .browOuterUpLeft:  // AU2 (lateral frontalis)
            set(26, 0, -7)
            set(25, 0, -6.5)
            set(24, 0, -4.5)
            set(23, 0, -2)
            set(22, 0, -0.5)
            set(44, 0, -0.6)
        case .eyeBlinkLeft:  // AU45/AU43: the upper lid descends onto the lower lid, which rises ≈ 1 mm to meet it
            let lift: Float = 1
            set(46, 0, -lift)
            set(47, 0, -lift)
            d[44] = face[46] + SIMD3(0, -lift, -0.5) - face[44]
            d[43] = face[47] + SIMD3(0, -lift, -0.5) - face[43]
        case .eyeSquintLeft:  // AU7 (orbicularis oculi, palpebral part): lower lid up and straightened, upper lid down
            set(46, -0.3, -2.5)
            set(47, 0.3, -2.5)
            set(43, 0, 1)
            set(44, 0, 1)
            set(45, -0.8, -0.3)
        case .eyeWideLeft:  // AU5 (levator palpebrae superioris): upper lid retracted, exposing sclera above the iris
            set(43, 0, -3)
            set(44, 0, -3)
            set(46, 0, 0.4)
            set(47, 0, 0.4)
        case .jawOpen, .jawLeft:  // AU26/27, AU30: mandible rotation (the chord of the full rotation)
            for k in 0 ..< 68 {
                let open: Float = shape == .jawOpen ? 1 : 0
                d[k] = jawTransform(face[k], attachment: jawAttachment[k], open: open, lateral: 1 - open) - face[k]
            }
        case .jawForward:  // AU29: mandible thrust forward (toward the camera)
            for k in 0 ..< 68 where jawAttachment[k] > 0 { d[k] = SIMD3(0, 0, -6 * jawAttachment[k]) }
        case .mouthClose:  // lips sealed although the jaw is open: the lower lip rides up against the opening
            for k in [55, 56, 57, 58, 59, 65, 66, 67] { d[k] = SIMD3(0, -14 * jawAttachment[k], -2) }
            for k in [61, 62, 63] { set(k, 0, 1.5) }
            for k in [48, 54] { set(k, 0, -3) }
            for k in [60, 64] { set(k, 0, -4) }
        case .mouthDimpleLeft:  // AU14 (buccinator): corner pulled straight back and outward, dimpling the cheek
            set(54, 3.5, 0, 4)
            set(64, 3, 0, 3.5)
            set(53, 1.5, 0, 1.5)
            set(55, 1.5, 0, 1.5)
            set(63, 1, 0, 1)
            set(65, 1, 0, 1)
        case .mouthFrownLeft:  // AU15 (depressor anguli oris): corner pulled down
            set(54, 1, 4.5)
            set(64, 0.8, 4)
            set(53, 0.3, 1.5)
            set(55, 0.5, 2.5)
            set(63, 0.3, 1.2)
            set(65, 0.4, 2.2)
            set(56, 0, 0.8)
        case .mouthFunnel:  // AU22 (orbicularis oris): lips everted into a funnel, opening in the middle
            for k in 48 ... 67 {
                let p = face[k]
                let inward = -p.x * 0.22
                let upper = (49 ... 53).contains(k) || (61 ... 63).contains(k)
                let lower = (55 ... 59).contains(k) || (65 ... 67).contains(k)
                let inner = k >= 60
                let open: Float = inner ? 2.5 : 1.5
                d[k] = SIMD3(inward, upper ? -open : (lower ? open : 0), -6)
            }
        case .mouthLeft:  // lips shifted as a whole toward the subject's left (ARKit: mouth moves to the left)
            // A pure sideways slide, so that mouthRight (its mirror image) is exactly its negative and the pair can be
            // fitted as one signed variable.
            for k in 48 ... 67 { set(k, 6, 0) }
            set(33, 0.5, 0)
        case .mouthLowerDownLeft:  // AU16 (depressor labii inferioris): the left half of the lower lip pulled down
            set(55, 0.5, 4)
            set(56, 0, 4)
            set(57, 0, 2)
            set(58, 0, 0.5)
            set(65, 0.3, 4)
            set(66, 0, 2)
            set(67, 0, 0.5)
            set(54, 0.3, 1)
        case .mouthPressLeft:  // AU24 (lip presser): both lips compressed against each other on the left
            set(52, 0, 1.5)
            set(53, 0, 1.2)
            set(55, 0, -1.2)
            set(56, 0, -1.5)
            set(51, 0, 0.7)
            set(57, 0, -0.7)
            set(54, -0.5, 0)
        case .mouthPucker:  // AU18 (incisivus labii): lips pushed forward and drawn together, mouth closed
            for k in 48 ... 67 {
                let p = face[k]
                d[k] = SIMD3(-p.x * 0.36, 0, -7)
            }
            for k in [49, 50, 51, 52, 53] { d[k].y += 1 }
            for k in [55, 56, 57, 58, 59] { d[k].y -= 1 }
        case .mouthRollLower:  // AU28 (lip suck): the lower vermilion rolls in over the teeth
            set(55, 0, -2.5)
            set(56, 0, -4.5)
            set(57, 0, -5)
            set(58, 0, -4.5)
            set(59, 0, -2.5)
            set(65, 0, 0.5)
            set(66, 0, 0.5)
            set(67, 0, 0.5)
            for k in 55 ... 59 { d[k].z = 2 }
        case .mouthRollUpper:
            set(49, 0, 2.5)
            set(50, 0, 4)
            set(51, 0, 4.5)
            set(52, 0, 4)
            set(53, 0, 2.5)
            set(61, 0, -0.5)
            set(62, 0, -0.5)
            set(63, 0, -0.5)
            for k in 49 ... 53 { d[k].z = 2 }
        case .mouthShrugLower:  // AU17 (mentalis): chin boss and lower lip pushed up
            set(7, 0, -2.5)
            set(8, 0, -3, -1)
            set(9, 0, -2.5)
            for k in [55, 56, 57, 58, 59, 65, 66, 67] { d[k] = SIMD3(0, -3, -2) }
            set(54, 0, -1)
            set(48, 0, -1)
        case .mouthShrugUpper:  // the upper lip pushed up by the lower lip (AU10-like, symmetric)
            for k in [49, 50, 51, 52, 53, 61, 62, 63] { d[k] = SIMD3(0, -2.5, -1) }
        case .mouthSmileLeft:  // AU12 (zygomaticus major): corner drawn up, out and back toward the cheekbone
            // A full smile moves the corner ≈ 12 mm along the muscle's line of pull.
            set(54, 9, -8, 4.5)
            set(64, 7.5, -7.5, 4.5)
            set(53, 4.5, -5, 2)
            set(52, 1.8, -2.2, 0.8)
            set(55, 5, -5.5, 2)
            set(56, 1.8, -2.2, 0.8)
            set(63, 3.8, -4.5, 1.5)
            set(65, 3.8, -5, 1.5)
            set(51, 0.7, -0.9)
            set(57, 0.7, -0.7)
            set(62, 0.7, -0.9)
            set(66, 0.7, -0.9)
            set(35, 0.8, -0.5)
            set(46, 0, -0.6)
            set(47, 0, -0.4)
            set(12, 0.5, 0)
            set(11, 0.5, 0)
        case .mouthStretchLeft:  // AU20 (risorius/platysma): corner pulled laterally and slightly down
            set(54, 6, 2, 1)
            set(64, 5, 2)
            set(55, 3, 2.5)
            set(56, 1, 1.5)
            set(65, 2.5, 2.2)
            set(53, 3, 1)
            set(63, 2.5, 0.8)
            set(57, 0.3, 0.5)
        case .mouthUpperUpLeft:  // AU10 (levator labii superioris): left upper lip raised
            set(52, 0, -4)
            set(53, 0.3, -3.5)
            set(51, 0, -2)
            set(50, 0, -0.5)
            set(63, 0, -3.5)
            set(62, 0, -1.5)
            set(54, 0.2, -1)
            set(64, 0, -1)
            set(35, 0, -0.6)
        case .noseSneerLeft:  // AU9 (levator labii sup. alaeque nasi): nostril wing and upper lip up, brow head down
            set(35, 0.5, -3)
            set(34, 0, -2)
            set(33, 0, -0.8)
            set(30, 0, -0.5)
            set(52, 0, -1.8)
            set(53, 0, -1.5)
            set(63, 0, -1.2)
            set(22, -0.5, 2.5)
            set(23, 0, 1)
            set(47, 0, -1)
            set(42, 0, -0.5)
        case .eyeLookDownLeft, .eyeLookInLeft, .eyeLookOutLeft, .eyeLookUpLeft, .cheekPuff, .cheekSquintLeft,
            .tongueOut:
            return nil  // eyeball/cheek surface/tongue: no landmark on them
        default:
            return nil
        }
        return d
    }

    /// The left-side shape whose mirror image a right-side shape is (nil for left-side and symmetric shapes).
    package static func leftCounterpart(of shape: ARKitBlendshape) -> ARKitBlendshape? {
        let name = shape.name
        guard name.hasSuffix("Right") else { return nil }
        return ARKitBlendshape(name: String(name.dropLast(5)) + "Left")
    }

    /// The mirror image of a face: point k of the result is point mirrorIndex[k] with x negated.
    package static func mirrorFace(_ face: [SIMD3<Float>]) -> [SIMD3<Float>] {
        (0 ..< 68).map { k in
            let p = face[mirrorIndex[k]]
            return SIMD3(-p.x, p.y, p.z)
        }
    }

    /// The 3D landmarks of `identityFace(identity) + personalOffsets` deformed by the weights: mandible rotation
    /// first (jawOpen, jawLeft − jawRight), then the linear fields of the other shapes, built on `fieldFace`.
    /// This is exactly the model the solver fits (tests synthesise landmarks with it).
    package static func shape(
        weights: BlendshapeWeights, identity: [Float] = [], personalOffsets: [SIMD3<Float>]? = nil,
        fieldFace: [SIMD3<Float>] = neutral
    ) -> [SIMD3<Float>] {
        var base = identityFace(identity)
        if let personalOffsets { for k in 0 ..< 68 { base[k] += personalOffsets[k] } }
        var out = base
        let lateral = weights[.jawLeft] - weights[.jawRight]
        for k in 0 ..< 68 {
            out[k] = jawTransform(base[k], attachment: jawAttachment[k], open: weights[.jawOpen], lateral: lateral)
        }
        for shape in ARKitBlendshape.allCases where !SolvedShapes.jaw.contains(shape) {
            let w = weights[shape]
            guard w != 0, let field = displacementField(shape, face: fieldFace) else { continue }
            for k in 0 ..< 68 { out[k] += w * field[k] }
        }
        return out
    }
}

/// Which shapes the solver fits, derives or cannot see (Docs/solver.md explains each choice).
package enum SolvedShapes {
    /// Linear-field shapes fitted to the landmarks every frame.
    package static let linear: [ARKitBlendshape] = [
        .browDownLeft, .browDownRight, .browInnerUp, .browOuterUpLeft, .browOuterUpRight,
        .eyeBlinkLeft, .eyeBlinkRight, .eyeSquintLeft, .eyeSquintRight, .eyeWideLeft, .eyeWideRight,
        .mouthClose, .mouthDimpleLeft, .mouthDimpleRight, .mouthFrownLeft, .mouthFrownRight, .mouthFunnel,
        .mouthLowerDownLeft, .mouthLowerDownRight, .mouthPucker, .mouthRollLower, .mouthRollUpper, .mouthShrugLower,
        .mouthSmileLeft, .mouthSmileRight, .mouthStretchLeft, .mouthStretchRight, .mouthUpperUpLeft, .mouthUpperUpRight,
        .noseSneerLeft, .noseSneerRight,
    ]
    /// Mutually exclusive pairs fitted as one signed variable in [-1, 1] (positive = the Left shape).
    package static let signedPairs: [(left: ARKitBlendshape, right: ARKitBlendshape)] = [(.mouthLeft, .mouthRight)]
    /// Rotations of the mandible: jawOpen, and jawLeft/jawRight as one signed turn.
    package static let jaw: [ARKitBlendshape] = [.jawOpen, .jawLeft, .jawRight]
    /// Derived from other measurements: gaze from the pupils, cheek raise from smile and lower-lid raise.
    package static let derived: [ARKitBlendshape] = [
        .eyeLookDownLeft, .eyeLookDownRight, .eyeLookInLeft, .eyeLookInRight,
        .eyeLookOutLeft, .eyeLookOutRight, .eyeLookUpLeft, .eyeLookUpRight, .cheekSquintLeft, .cheekSquintRight,
    ]
    /// Fields exist (they move points) but the 68 points cannot tell them apart from other shapes, or they move
    /// points only along the camera axis; reported as not tracked.
    package static let fieldOnly: [ARKitBlendshape] = [
        .mouthPressLeft, .mouthPressRight, .mouthShrugUpper, .jawForward,
    ]
    /// No landmark on the moving surface at all.
    package static let invisible: [ARKitBlendshape] = [.cheekPuff, .tongueOut]

    /// Mask of every shape the solver reports as tracked (solved or derived).
    package static let trackedMask: UInt64 = {
        var mask: UInt64 = 0
        for s in linear + jaw + derived + signedPairs.flatMap({ [$0.left, $0.right] }) {
            mask |= 1 << UInt64(s.rawValue)
        }
        return mask
    }()
}
