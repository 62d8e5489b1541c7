import OmoteCore

/// Gaze: pupils located in both eyes, relative to their learned neutral, as eyeLook* weights.
extension FaceSolver {
    /// ARKit eyeLook = 1 at this pupil offset (eye widths): ≈ 35° of eye rotation moves the iris 0.2 eye widths
    /// sideways. Vertically the lids cover the top and bottom of the iris, so the located centre moves only ≈ 40 %
    /// as far as the iris does (measured on synthetic eyes, test `gazeDirections`); 0.05 ≈ 25° up or down.
    static let gazeGain = SIMD2<Float>(0.20, 0.05)
    /// Below this lid opening (eye widths) the eye counts as closed and the pupil is not searched.
    static let closedAperture: Float = 0.12

    /// Locates both pupils, updates the gaze neutral at `neutralRate`, sets the gaze flags and offsets of `output`;
    /// returns each eye's (up, down, in, out) weights.
    func estimateGaze(
        image: LumaImage,
        landmarks: FaceLandmarks,
        neutralRate: Float,
        output: inout FaceSolverOutput
    ) -> (left: SIMD4<Float>, right: SIMD4<Float>) {
        // Rings ordered from the head's −x corner to the +x corner (see PupilLocator.locate).
        let (rightResult, leftResult) = landmarks.withUnsafeBufferPointer { l in
            (
                pupils.right.locate(in: image, ring: (l[36], l[37], l[38], l[39], l[40], l[41])),
                pupils.left.locate(in: image, ring: (l[42], l[43], l[44], l[45], l[46], l[47]))
            )
        }
        let blinkLeft = weights[Self.linearShapes.firstIndex(of: .eyeBlinkLeft)!]
        let blinkRight = weights[Self.linearShapes.firstIndex(of: .eyeBlinkRight)!]
        let leftOpen = leftResult.found && leftResult.aperture > Self.closedAperture && blinkLeft < 0.5
        let rightOpen = rightResult.found && rightResult.aperture > Self.closedAperture && blinkRight < 0.5
        if neutralRate > 0 {
            if leftOpen { gazeNeutral.left += (leftResult.offset - gazeNeutral.left) * neutralRate }
            if rightOpen { gazeNeutral.right += (rightResult.offset - gazeNeutral.right) * neutralRate }
        }
        if leftOpen { output.flags.insert(.gazeLeftValid) }
        if rightOpen { output.flags.insert(.gazeRightValid) }
        // Both eyes move together (conjugate gaze): two open eyes are averaged, which halves the pupil noise, and
        // one open eye speaks for both. While both are closed the gaze is suppressed: the last gaze is held.
        let leftGaze = leftResult.offset - gazeNeutral.left
        let rightGaze = rightResult.offset - gazeNeutral.right
        if leftOpen && rightOpen {
            let mean = (leftGaze + rightGaze) * 0.5
            lastGaze = (mean, mean)
        } else if leftOpen {
            lastGaze = (leftGaze, leftGaze)
        } else if rightOpen {
            lastGaze = (rightGaze, rightGaze)
        }
        let gaze = lastGaze
        output.gazeLeft = gaze.left
        output.gazeRight = gaze.right
        // The left eye looks out toward +x (the subject's left); the right eye looks out toward −x.
        return (Self.look(gaze.left, outward: 1), Self.look(gaze.right, outward: -1))
    }

    /// (up, down, in, out) weights in [0, 1] for a gaze offset; `outward` is the sign of x that looks out.
    private static func look(_ g: SIMD2<Float>, outward: Float) -> SIMD4<Float> {
        let n = g / gazeGain
        let h = n.x * outward
        var w = SIMD4<Float>(-n.y, n.y, -h, h)  // up, down, in, out
        w.replace(with: 0, where: w .< 0)
        w.replace(with: 1, where: w .> 1)
        return w
    }
}
