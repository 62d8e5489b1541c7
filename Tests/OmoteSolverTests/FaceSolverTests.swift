import Foundation
import OmoteCapture
import OmoteSolver
import OmoteVision
import Testing

/// A solver configuration for exact synthetic checks: no neutral learning, no smoothing.
func rawConfiguration() -> FaceSolverConfiguration {
    var configuration = FaceSolverConfiguration()
    configuration.automaticNeutralAdaptation = false
    configuration.weightSmoothing = nil
    configuration.poseSmoothing = nil
    return configuration
}

/// Largest absolute lane.
func largest<V: SIMD>(_ v: V) -> Float where V.Scalar == Float { max(v.max(), (-v).max()) }

func degrees(_ v: SIMD3<Float>) -> SIMD3<Float> { v * (180 / .pi) }

/// Tolerances at 0.3 px landmark noise (about dlib's frame-to-frame jitter on a still face, measured on single_face):
/// every weight within 0.2 (the small lid shapes move their points only 2–3 px at weight 1), mean error below 0.04,
/// identity within 0.4 sd, head angles within 1.5°, translation within 12 mm at 550 mm.
@Test("Round trip: known pose, identity and weights, projected with 0.3 px noise, are recovered")
func syntheticRoundTrip() {
    var configuration = rawConfiguration()
    configuration.identityTimeConstantSeconds = 0.15
    let scene = SyntheticScene(configuration: configuration)
    let solver = FaceSolver(configuration: configuration)
    var random = TestRandom(seed: 7)
    let identity: [Float] = [0.8, -0.6, 0.5, -0.4, 0.7, -0.5]
    let pose = SyntheticScene.pose(yawDegrees: 14, pitchDegrees: -8, rollDegrees: 5, translation: SIMD3(30, -20, 550))
    let blank = [UInt8](repeating: 120, count: SyntheticScene.width * SyntheticScene.height)
    var output = FaceSolverOutput()
    var time: UInt64 = 0
    // Identity is learned by an explicit calibration ("hold a neutral face for 2 s").
    solver.beginCalibration()
    for _ in 0 ..< 64 {
        let landmarks = scene.landmarks(pose: pose, weights: BlendshapeWeights(), identity: identity, noise: 0.3, random: &random)
        time += 33_333_333
        withLuma(blank) { solver.solve(landmarks: landmarks, image: $0, timestampNanoseconds: time, into: &output) }
    }
    #expect(solver.calibrationState == .calibrated)
    let learned = solver.identityCoefficients
    for m in 0 ..< identity.count { #expect(abs(learned[m] - identity[m]) < 0.4, "identity mode \(m): \(learned[m]) vs \(identity[m])") }

    let expressions: [[ARKitBlendshape: Float]] = [
        [.mouthSmileLeft: 0.7, .jawOpen: 0.3, .eyeBlinkRight: 0.8, .browInnerUp: 0.5],
        [.mouthPucker: 0.6, .browDownLeft: 0.5, .eyeWideRight: 0.5, .jawLeft: 0.4],
        [.mouthFrownRight: 0.6, .mouthStretchLeft: 0.5, .browOuterUpRight: 0.7, .eyeSquintLeft: 0.6, .mouthRight: 0.4],
        [.jawOpen: 0.6, .mouthUpperUpLeft: 0.5, .noseSneerRight: 0.5, .eyeBlinkLeft: 1.0, .eyeBlinkRight: 1.0],
    ]
    var worst: Float = 0, sum: Float = 0, count: Float = 0
    for expression in expressions {
        var truth = BlendshapeWeights()
        for (shape, value) in expression { truth[shape] = value }
        for _ in 0 ..< 4 {
            let landmarks = scene.landmarks(pose: pose, weights: truth, identity: identity, noise: 0.3, random: &random)
            time += 33_333_333
            withLuma(blank) { solver.solve(landmarks: landmarks, image: $0, timestampNanoseconds: time, into: &output) }
        }
        #expect(output.flags.contains(.poseValid))
        for shape in ARKitBlendshape.allCases where output.weights.isTracked(shape) && !shape.name.hasPrefix("eyeLook") && !shape.name.hasPrefix("cheekSquint") {
            let error = abs(output.weights[shape] - truth[shape])
            worst = max(worst, error)
            sum += error; count += 1
            #expect(error < 0.2, "\(shape): solved \(output.weights[shape]), true \(truth[shape])")
        }
        let angles = degrees(output.headPose.yawPitchRoll), trueAngles = degrees(pose.yawPitchRoll)
        #expect(largest(angles - trueAngles) < 1.5, "angles \(angles) vs \(trueAngles)")
        let t = output.headPose.translation
        #expect(largest(t - pose.translation) < 12, "translation \(t)")
        #expect(output.reprojectionErrorPixels < 0.6)
    }
    #expect(sum / count < 0.04)
    print("round trip: worst weight error \(worst), mean \(sum / count), identity \(learned)")
}

@Test("Mirror symmetry: a mirrored frame swaps Left/Right weights and gaze and mirrors yaw and roll")
func mirrorSymmetry() {
    var configuration = rawConfiguration()
    let scene = SyntheticScene(configuration: configuration)
    var random = TestRandom(seed: 11)
    var truth = BlendshapeWeights()
    truth[.mouthSmileLeft] = 0.6; truth[.eyeBlinkRight] = 0.4; truth[.browOuterUpLeft] = 0.5; truth[.jawLeft] = 0.3
    truth[.mouthLeft] = 0.3; truth[.jawOpen] = 0.2; truth[.noseSneerLeft] = 0.3
    let pose = SyntheticScene.pose(yawDegrees: 18, pitchDegrees: 6, rollDegrees: -7, translation: SIMD3(-25, 10, 520))
    let landmarks = scene.landmarks(pose: pose, weights: truth, noise: 0.4, random: &random)
    let pixels = scene.image(landmarks: landmarks, irisOffset: SIMD2(0.12, -0.03))
    let mirroredLandmarks = SyntheticScene.mirrored(landmarks)
    let mirroredPixels = SyntheticScene.mirrored(pixels)
    configuration.estimateGaze = true
    let original = FaceSolver(configuration: configuration), mirror = FaceSolver(configuration: configuration)
    var a = FaceSolverOutput(), b = FaceSolverOutput()
    for frame in 1 ... 3 {
        withLuma(pixels) { original.solve(landmarks: landmarks, image: $0, timestampNanoseconds: UInt64(frame) * 33_333_333, into: &a) }
        withLuma(mirroredPixels) { mirror.solve(landmarks: mirroredLandmarks, image: $0, timestampNanoseconds: UInt64(frame) * 33_333_333, into: &b) }
    }
    #expect(a.flags.contains(.gazeLeftValid) && a.flags.contains(.gazeRightValid))
    for shape in ARKitBlendshape.allCases {
        let swapped = ARKitBlendshape(name: shape.name.replacingOccurrences(of: "Left", with: "#").replacingOccurrences(of: "Right", with: "Left").replacingOccurrences(of: "#", with: "Right"))!
        #expect(abs(a.weights[shape] - b.weights[swapped]) < 0.02, "\(shape) \(a.weights[shape]) ↔ \(swapped) \(b.weights[swapped])")
    }
    #expect(a.weights[.mouthSmileLeft] > 0.4 && a.weights[.eyeLookOutLeft] > 0.3 && a.weights[.eyeLookInRight] > 0.3)
    let angles = degrees(a.headPose.yawPitchRoll), mirroredAngles = degrees(b.headPose.yawPitchRoll)
    #expect(abs(angles.x + mirroredAngles.x) < 0.3 && abs(angles.y - mirroredAngles.y) < 0.3 && abs(angles.z + mirroredAngles.z) < 0.3,
            "angles \(angles) vs mirrored \(mirroredAngles)")
    let principalX = Float(SyntheticScene.width - 1) / 2
    _ = principalX
    #expect(abs(a.headPose.translation.x + b.headPose.translation.x) < 1 && abs(a.headPose.translation.z - b.headPose.translation.z) < 1)
}

@Test("Stability: the same frame fed 30 times gives constant weights")
func stabilityOnRepeatedFrame() {
    for adapt in [false, true] {
        var configuration = FaceSolverConfiguration()
        configuration.automaticNeutralAdaptation = adapt
        let scene = SyntheticScene(configuration: configuration)
        var random = TestRandom(seed: 3)
        var truth = BlendshapeWeights()
        truth[.mouthSmileRight] = 0.5; truth[.jawOpen] = 0.25; truth[.browInnerUp] = 0.4; truth[.eyeSquintLeft] = 0.3
        let pose = SyntheticScene.pose(yawDegrees: -10, pitchDegrees: 4, rollDegrees: 3, translation: SIMD3(10, 5, 600))
        let landmarks = scene.landmarks(pose: pose, weights: truth, noise: 0.5, random: &random)
        let pixels = scene.image(landmarks: landmarks, irisOffset: SIMD2(-0.05, 0.02))
        let solver = FaceSolver(configuration: configuration)
        var output = FaceSolverOutput()
        var history: [SIMD64<Float>] = []
        for frame in 1 ... 30 + (adapt ? 40 : 0) {
            withLuma(pixels) { solver.solve(landmarks: landmarks, image: $0, timestampNanoseconds: UInt64(frame) * 33_333_333, into: &output) }
            history.append(output.weights.values)
        }
        // Without adaptation: constant from the first frame. With it: constant once the neutral is learned (1 s).
        let tail = history.suffix(30)
        let first = tail.first!
        var drift: Float = 0
        for values in tail { drift = max(drift, largest(values - first)) }
        // With adaptation on, the neutral keeps following a face held still (time constant 30 s), by design.
        #expect(drift < (adapt ? 0.01 : 1e-3), "adaptation \(adapt): weights drift by \(drift) over 30 identical frames")
        if !adapt { #expect(first[ARKitBlendshape.mouthSmileRight.rawValue] > 0.35) }
    }
}

@Test("Real frames: on SampleFrames/single_face (dlib's landmarks) the smile rises from the neutral start")
func realFramesSmileRises() throws {
    let landmarks = try dlibLandmarks(clip: "single_face")
    #expect(landmarks.count == 72)
    let source = try ReplaySource(clipDirectory: SolverTestPaths.singleFace)
    var frame = try LumaFrame()
    let solver = FaceSolver(configuration: FaceSolverConfiguration())
    var output = FaceSolverOutput()
    var smileLeft: [Float] = [], smileRight: [Float] = [], errors: [Float] = []
    var index = 0
    while try source.next(into: &frame) != nil {
        defer { index += 1 }
        guard let points = landmarks[index] else { solver.reset(); continue }
        frame.withImage { image in solver.solve(landmarks: points, image: image, timestampNanoseconds: frame.timestampNanoseconds, into: &output) }
        smileLeft.append(output.weights[.mouthSmileLeft])
        smileRight.append(output.weights[.mouthSmileRight])
        errors.append(output.reprojectionErrorPixels)
    }
    func mean(_ values: ArraySlice<Float>) -> Float { values.reduce(0, +) / Float(values.count) }
    let startLeft = mean(smileLeft.prefix(10)), endLeft = mean(smileLeft.suffix(10))
    let startRight = mean(smileRight.prefix(10)), endRight = mean(smileRight.suffix(10))
    print("single_face smile L: \(smileLeft.map { String(format: "%.2f", $0) }.joined(separator: " "))")
    print("single_face smile R: \(smileRight.map { String(format: "%.2f", $0) }.joined(separator: " "))")
    print("single_face smile first 10 → last 10 frames: left \(startLeft) → \(endLeft), right \(startRight) → \(endRight); reprojection px max \(errors.max()!)")
    #expect(endLeft > startLeft + 0.3 && endRight > startRight + 0.3)
    #expect(startLeft < 0.15 && startRight < 0.15)
}
