import OmoteCore

/// What the solver reports: the fitted variables as ARKit weights (derived shapes added, smoothed, clamped, masked)
/// and the smoothed head pose.
extension FaceSolver {
    /// The fitted weights in ARKit order, with the gaze weights (up, down, in, out per eye).
    func reportWeights(
        gaze gazeWeights: (left: SIMD4<Float>, right: SIMD4<Float>),
        timestampNanoseconds: UInt64,
        into output: inout BlendshapeWeights
    ) {
        var values = SIMD64<Float>.zero
        for (v, shape) in Self.linearShapes.enumerated() { values[shape.rawValue] = weights[v] }
        let mouthLateral = weights[Self.lateralMouthIndex]
        let jawLateral = weights[Self.jawLateralIndex]
        values[ARKitBlendshape.mouthLeft.rawValue] = max(0, mouthLateral)
        values[ARKitBlendshape.mouthRight.rawValue] = max(0, -mouthLateral)
        values[ARKitBlendshape.jawLeft.rawValue] = max(0, jawLateral)
        values[ARKitBlendshape.jawRight.rawValue] = max(0, -jawLateral)
        values[ARKitBlendshape.jawOpen.rawValue] = weights[Self.jawOpenIndex]
        // AU6 (cheek raiser) shows on the 68 points only as a raised lower lid, which eyeSquint already explains: it
        // is reported as the part of the lid raise that comes with a smile (a Duchenne smile raises both).
        values[ARKitBlendshape.cheekSquintLeft.rawValue] = min(
            values[ARKitBlendshape.eyeSquintLeft.rawValue],
            values[ARKitBlendshape.mouthSmileLeft.rawValue]
        )
        values[ARKitBlendshape.cheekSquintRight.rawValue] = min(
            values[ARKitBlendshape.eyeSquintRight.rawValue],
            values[ARKitBlendshape.mouthSmileRight.rawValue]
        )
        values[ARKitBlendshape.eyeLookUpLeft.rawValue] = gazeWeights.left[0]
        values[ARKitBlendshape.eyeLookDownLeft.rawValue] = gazeWeights.left[1]
        values[ARKitBlendshape.eyeLookInLeft.rawValue] = gazeWeights.left[2]
        values[ARKitBlendshape.eyeLookOutLeft.rawValue] = gazeWeights.left[3]
        values[ARKitBlendshape.eyeLookUpRight.rawValue] = gazeWeights.right[0]
        values[ARKitBlendshape.eyeLookDownRight.rawValue] = gazeWeights.right[1]
        values[ARKitBlendshape.eyeLookInRight.rawValue] = gazeWeights.right[2]
        values[ARKitBlendshape.eyeLookOutRight.rawValue] = gazeWeights.right[3]
        if weightFilter != nil { values = weightFilter!.filter(values, timestampNanoseconds: timestampNanoseconds) }
        values.replace(with: 0, where: values .< 0)
        values.replace(with: 1, where: values .> 1)
        var mask = SolvedShapes.trackedMask
        if !configuration.estimateGaze {
            for s in SolvedShapes.derived where s.name.hasPrefix("eyeLook") { mask &= ~(1 << UInt64(s.rawValue)) }
        }
        for lane in 0 ..< 64 where mask & (1 << UInt64(lane)) == 0 { values[lane] = 0 }
        output.values = values
        output.trackedMask = mask
    }

    /// The fitted head pose, smoothed when the configuration asks for it.
    func reportedPose(timestampNanoseconds: UInt64) -> HeadPose {
        guard poseFilter != nil else { return HeadPose(rotation: rotation, translation: translation) }
        let r = rotation.rotationVector
        let raw = SIMD8<Float>(r.x, r.y, r.z, translation.x * 0.01, translation.y * 0.01, translation.z * 0.01, 0, 0)
        let smooth = poseFilter!.filter(raw, timestampNanoseconds: timestampNanoseconds)
        return HeadPose(
            rotation: Rotation3(rotationVector: SIMD3(smooth[0], smooth[1], smooth[2])),
            translation: SIMD3(smooth[3], smooth[4], smooth[5]) * 100
        )
    }
}
