import Foundation
import OmoteCapture
import OmoteCore
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
func syntheticRoundTrip() throws {
    var configuration = rawConfiguration()
    configuration.identityTimeConstantSeconds = 0.15
    let scene = SyntheticScene(configuration: configuration)
    let solver = try FaceSolver(configuration: configuration)
    var random = TestRandom(seed: 7)
    let identity: [Float] = [0.8, -0.6, 0.5, -0.4, 0.7, -0.5]
    let pose = SyntheticScene.pose(yawDegrees: 14, pitchDegrees: -8, rollDegrees: 5, translation: SIMD3(30, -20, 550))
    let blank = [UInt8](repeating: 120, count: SyntheticScene.width * SyntheticScene.height)
    var output = FaceSolverOutput()
    var time: UInt64 = 0
    // Identity is learned by an explicit calibration ("hold a neutral face for 2 s").
    solver.beginCalibration()
    for _ in 0 ..< 64 {
        let landmarks = try scene.landmarks(
            pose: pose, weights: BlendshapeWeights(), identity: identity, noise: 0.3, random: &random)
        time += 33_333_333
        withLuma(blank) { solver.solve(landmarks: landmarks, image: $0, timestampNanoseconds: time, into: &output) }
    }
    #expect(solver.calibrationState == .calibrated)
    let learned = solver.identityCoefficients
    for m in 0 ..< identity.count {
        #expect(abs(learned[m] - identity[m]) < 0.4, "identity mode \(m): \(learned[m]) vs \(identity[m])")
    }

    let expressions: [[ARKitBlendshape: Float]] = [
        [.mouthSmileLeft: 0.7, .jawOpen: 0.3, .eyeBlinkRight: 0.8, .browInnerUp: 0.5],
        [.mouthPucker: 0.6, .browDownLeft: 0.5, .eyeWideRight: 0.5, .jawLeft: 0.4],
        [.mouthFrownRight: 0.6, .mouthStretchLeft: 0.5, .browOuterUpRight: 0.7, .eyeSquintLeft: 0.6, .mouthRight: 0.4],
        [.jawOpen: 0.6, .mouthUpperUpLeft: 0.5, .noseSneerRight: 0.5, .eyeBlinkLeft: 1.0, .eyeBlinkRight: 1.0],
    ]
    var worst: Float = 0
    var sum: Float = 0
    var count: Float = 0
    for expression in expressions {
        var truth = BlendshapeWeights()
        for (shape, value) in expression { truth[shape] = value }
        for _ in 0 ..< 4 {
            let landmarks = try scene.landmarks(
                pose: pose, weights: truth, identity: identity, noise: 0.3, random: &random)
            time += 33_333_333
            withLuma(blank) { solver.solve(landmarks: landmarks, image: $0, timestampNanoseconds: time, into: &output) }
        }
        #expect(output.flags.contains(.poseValid))
        for shape in ARKitBlendshape.allCases
        where output.weights.isTracked(shape) && !shape.name.hasPrefix("eyeLook")
            && !shape.name.hasPrefix("cheekSquint")
        {
            let error = abs(output.weights[shape] - truth[shape])
            worst = max(worst, error)
            sum += error
            count += 1
            #expect(error < 0.2, "\(shape): solved \(output.weights[shape]), true \(truth[shape])")
        }
        let angles = degrees(output.headPose.yawPitchRoll)
        let trueAngles = degrees(pose.yawPitchRoll)
        #expect(largest(angles - trueAngles) < 1.5, "angles \(angles) vs \(trueAngles)")
        let t = output.headPose.translation
        #expect(largest(t - pose.translation) < 12, "translation \(t)")
        #expect(output.reprojectionErrorPixels < 0.6)
    }
    #expect(sum / count < 0.04)
    print("round trip: worst weight error \(worst), mean \(sum / count), identity \(learned)")
}

@Test("Mirror symmetry: a mirrored frame swaps Left/Right weights and gaze and mirrors yaw and roll")
func mirrorSymmetry() throws {
    var configuration = rawConfiguration()
    let scene = SyntheticScene(configuration: configuration)
    var random = TestRandom(seed: 11)
    var truth = BlendshapeWeights()
    truth[.mouthSmileLeft] = 0.6
    truth[.eyeBlinkRight] = 0.4
    truth[.browOuterUpLeft] = 0.5
    truth[.jawLeft] = 0.3
    truth[.mouthLeft] = 0.3
    truth[.jawOpen] = 0.2
    truth[.noseSneerLeft] = 0.3
    let pose = SyntheticScene.pose(yawDegrees: 18, pitchDegrees: 6, rollDegrees: -7, translation: SIMD3(-25, 10, 520))
    let landmarks = try scene.landmarks(pose: pose, weights: truth, noise: 0.4, random: &random)
    let pixels = scene.image(landmarks: landmarks, irisOffset: SIMD2(0.12, -0.03))
    let mirroredLandmarks = try SyntheticScene.mirrored(landmarks)
    let mirroredPixels = SyntheticScene.mirrored(pixels)
    configuration.estimateGaze = true
    let original = try FaceSolver(configuration: configuration)
    let mirror = try FaceSolver(configuration: configuration)
    var a = FaceSolverOutput()
    var b = FaceSolverOutput()
    for frame in 1 ... 3 {
        withLuma(pixels) {
            original.solve(landmarks: landmarks, image: $0, timestampNanoseconds: UInt64(frame) * 33_333_333, into: &a)
        }
        withLuma(mirroredPixels) {
            mirror.solve(
                landmarks: mirroredLandmarks, image: $0, timestampNanoseconds: UInt64(frame) * 33_333_333, into: &b)
        }
    }
    #expect(a.flags.contains(.gazeLeftValid) && a.flags.contains(.gazeRightValid))
    for shape in ARKitBlendshape.allCases {
        let swapped = ARKitBlendshape(
            name: shape.name.replacingOccurrences(of: "Left", with: "#").replacingOccurrences(of: "Right", with: "Left")
                .replacingOccurrences(of: "#", with: "Right"))!
        #expect(
            abs(a.weights[shape] - b.weights[swapped]) < 0.02,
            "\(shape) \(a.weights[shape]) ↔ \(swapped) \(b.weights[swapped])")
    }
    #expect(a.weights[.mouthSmileLeft] > 0.4 && a.weights[.eyeLookOutLeft] > 0.3 && a.weights[.eyeLookInRight] > 0.3)
    let angles = degrees(a.headPose.yawPitchRoll)
    let mirroredAngles = degrees(b.headPose.yawPitchRoll)
    #expect(
        abs(angles.x + mirroredAngles.x) < 0.3 && abs(angles.y - mirroredAngles.y) < 0.3
            && abs(angles.z + mirroredAngles.z) < 0.3,
        "angles \(angles) vs mirrored \(mirroredAngles)")
    let principalX = Float(SyntheticScene.width - 1) / 2
    _ = principalX
    #expect(
        abs(a.headPose.translation.x + b.headPose.translation.x) < 1
            && abs(a.headPose.translation.z - b.headPose.translation.z) < 1)
}

@Test("Stability: the same frame fed 30 times gives constant weights")
func stabilityOnRepeatedFrame() throws {
    for adapt in [false, true] {
        var configuration = FaceSolverConfiguration()
        configuration.automaticNeutralAdaptation = adapt
        let scene = SyntheticScene(configuration: configuration)
        var random = TestRandom(seed: 3)
        var truth = BlendshapeWeights()
        truth[.mouthSmileRight] = 0.5
        truth[.jawOpen] = 0.25
        truth[.browInnerUp] = 0.4
        truth[.eyeSquintLeft] = 0.3
        let pose = SyntheticScene.pose(yawDegrees: -10, pitchDegrees: 4, rollDegrees: 3, translation: SIMD3(10, 5, 600))
        let landmarks = try scene.landmarks(pose: pose, weights: truth, noise: 0.5, random: &random)
        let pixels = scene.image(landmarks: landmarks, irisOffset: SIMD2(-0.05, 0.02))
        let solver = try FaceSolver(configuration: configuration)
        var output = FaceSolverOutput()
        var history: [SIMD64<Float>] = []
        for frame in 1 ... 30 + (adapt ? 40 : 0) {
            withLuma(pixels) {
                solver.solve(
                    landmarks: landmarks, image: $0, timestampNanoseconds: UInt64(frame) * 33_333_333, into: &output)
            }
            history.append(output.weights.values)
        }
        // Without adaptation: constant from the first frame. With it: constant once the neutral is learned (1 s).
        let tail = history.suffix(30)
        let first = tail.first!
        var drift: Float = 0
        for values in tail { drift = max(drift, largest(values - first)) }
        // With adaptation on, the neutral keeps following a face held still (time constant 30 s), by design.
        #expect(
            drift < (adapt ? 0.01 : 1e-3), "adaptation \(adapt): weights drift by \(drift) over 30 identical frames")
        if !adapt { #expect(first[ARKitBlendshape.mouthSmileRight.rawValue] > 0.35) }
    }
}

@Test("Real frames: on SampleFrames/single_face (dlib's landmarks) the smile rises from the neutral start")
func realFramesSmileRises() throws {
    let landmarks = try dlibLandmarks(clip: "single_face")
    #expect(landmarks.count == 72)
    let source = try ReplaySource(clipDirectory: SolverTestPaths.singleFace)
    var frame = try VideoFrame()
    let solver = try FaceSolver(configuration: FaceSolverConfiguration())
    var output = FaceSolverOutput()
    var smileLeft: [Float] = []
    var smileRight: [Float] = []
    var errors: [Float] = []
    var index = 0
    while try source.next(into: &frame) != nil {
        defer { index += 1 }
        guard let points = landmarks[index] else {
            solver.reset()
            continue
        }
        frame.withImage { image in
            solver.solve(
                landmarks: points, image: image, timestampNanoseconds: frame.timestampNanoseconds, into: &output)
        }
        smileLeft.append(output.weights[.mouthSmileLeft])
        smileRight.append(output.weights[.mouthSmileRight])
        errors.append(output.reprojectionErrorPixels)
    }
    func mean(_ values: ArraySlice<Float>) -> Float { values.reduce(0, +) / Float(values.count) }
    let startLeft = mean(smileLeft.prefix(10))
    let endLeft = mean(smileLeft.suffix(10))
    let startRight = mean(smileRight.prefix(10))
    let endRight = mean(smileRight.suffix(10))
    print("single_face smile L: \(smileLeft.map { String(format: "%.2f", $0) }.joined(separator: " "))")
    print("single_face smile R: \(smileRight.map { String(format: "%.2f", $0) }.joined(separator: " "))")
    print(
        "single_face smile first 10 → last 10 frames: left \(startLeft) → \(endLeft), right \(startRight) → \(endRight); reprojection px max \(errors.max()!)"
    )
    #expect(endLeft > startLeft + 0.3 && endRight > startRight + 0.3)
    #expect(startLeft < 0.15 && startRight < 0.15)
}

/// Runs single_face (dlib's landmarks, the decoded frames as images, 33.3 ms apart) through one solver `passes`
/// times in a row (time keeps running); one weight vector and reprojection error per frame that has a face.
func singleFaceWeights(configuration: FaceSolverConfiguration, passes: Int = 1) throws -> (
    weights: [SIMD64<Float>], errors: [Float]
) {
    let landmarks = try dlibLandmarks(clip: "single_face")
    let solver = try FaceSolver(configuration: configuration)
    var frame = try VideoFrame()
    var output = FaceSolverOutput()
    var result: [SIMD64<Float>] = []
    var errors: [Float] = []
    var time: UInt64 = 0
    for _ in 0 ..< passes {
        let source = try ReplaySource(clipDirectory: SolverTestPaths.singleFace)
        var index = 0
        while try source.next(into: &frame) != nil {
            defer { index += 1 }
            time += 33_333_333
            guard let points = landmarks[index] else {
                solver.reset()
                continue
            }
            frame.withImage { image in
                solver.solve(landmarks: points, image: image, timestampNanoseconds: time, into: &output)
            }
            result.append(output.weights.values)
            errors.append(output.reprojectionErrorPixels)
        }
    }
    return (result, errors)
}

func topWeights(_ values: SIMD64<Float>, count: Int = 8) -> String {
    ARKitBlendshape.allCases.map { ($0, values[$0.rawValue]) }.sorted { $0.1 > $1.1 }.prefix(count)
        .map { String(format: "%@ %.2f", $0.0.name, $0.1) }.joined(separator: ", ")
}

func meanWeights(_ frames: ArraySlice<SIMD64<Float>>) -> SIMD64<Float> {
    frames.reduce(SIMD64<Float>.zero, +) / Float(frames.count)
}

/// single_face (72 frames, all with a face): neutral on frames 0–16, the smile spreads over 17–23, is held broad
/// (mouth 71 mm wide instead of 50, lips parted 14–16 mm, the chin still) on 24–68 and relaxes on 69–71.
/// Docs/solver.md ("Quality on real frames") records the numbers this prints and the diagnosis.
@Test(
    "Real frames: single_face's broad smile is carried by the smile shapes; the lips' parting by the lip shapes, not the jaw"
)
func realFramesSmileShapes() throws {
    let watched: [ARKitBlendshape] = [
        .mouthSmileLeft, .mouthSmileRight, .mouthLowerDownLeft, .mouthLowerDownRight, .mouthUpperUpLeft,
        .mouthUpperUpRight, .mouthStretchLeft, .mouthStretchRight, .mouthDimpleLeft, .mouthDimpleRight, .jawOpen,
    ]
    func row(_ values: SIMD64<Float>) -> String {
        watched.map { String(format: "%@ %.2f", $0.name, values[$0.rawValue]) }.joined(separator: ", ")
    }
    // Two passes: the second shows the opening neutral frames against the neutral learned in the first.
    let (weights, errors) = try singleFaceWeights(configuration: FaceSolverConfiguration(), passes: 2)
    try #require(weights.count == 144)
    print("single_face top weights (default configuration), first pass:")
    for i in [0, 1, 2, 3, 4, 10, 16, 20, 24, 30, 40, 50, 60, 66, 68, 69, 70, 71] {
        print(String(format: "  frame %2d (%.2f px): ", i, errors[i]) + topWeights(weights[i]))
    }
    print("second pass (neutral learned):")
    for i in [0, 1, 2, 3, 4, 10, 16] {
        print(String(format: "  frame %2d (%.2f px): ", i, errors[72 + i]) + topWeights(weights[72 + i]))
    }
    let neutral = meanWeights(weights[72 ..< 72 + 17])
    let smile = meanWeights(weights[72 + 24 ... 72 + 68])
    print("second pass mean, neutral frames 0–16: " + row(neutral))
    print("second pass mean, smile frames 24–68:  " + row(smile))
    var worstNeutral: Float = 0
    for shape in ARKitBlendshape.allCases where !shape.name.hasPrefix("eyeLook") {
        worstNeutral = max(worstNeutral, neutral[shape.rawValue])
    }
    // The smile shapes carry the corners (they are at ≈ their full field), the jaw does not carry the lips' parting.
    let smileMean =
        (smile[ARKitBlendshape.mouthSmileLeft.rawValue] + smile[ARKitBlendshape.mouthSmileRight.rawValue]) / 2
    print(
        "second pass: largest non-gaze weight on the neutral frames \(worstNeutral); reprojection px, neutral frames mean "
            + String(format: "%.2f", errors[72 ..< 72 + 17].reduce(0, +) / 17) + ", smile frames mean "
            + String(format: "%.2f", errors[72 + 24 ... 72 + 68].reduce(0, +) / 45))
    #expect(smileMean > 0.85, "mean smile \(smileMean) on the held smile")
    for shape in mouthShapes where !shape.name.hasPrefix("mouthSmile") {
        #expect(
            smile[shape.rawValue] <= smileMean + 0.02,
            "\(shape) \(smile[shape.rawValue]) exceeds the smile \(smileMean)")
    }
    #expect(smile[ARKitBlendshape.jawOpen.rawValue] < 0.15)
    #expect(worstNeutral < 0.3, "largest weight on the learned neutral \(worstNeutral)")
}

let mouthShapes: [ARKitBlendshape] = ARKitBlendshape.allCases.filter { $0.name.hasPrefix("mouth") }
