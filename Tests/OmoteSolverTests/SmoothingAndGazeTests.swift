import Foundation
import OmoteCapture
import OmoteCore
import OmoteSolver
import OmoteVision
import Testing

/// Raw (unsmoothed) weights of a sequence of landmark frames.
func rawWeights(_ frames: [FaceLandmarks], configuration: FaceSolverConfiguration) throws -> [SIMD64<Float>] {
    let solver = try FaceSolver(configuration: configuration)
    var output = FaceSolverOutput()
    let blank = [UInt8](repeating: 120, count: SyntheticScene.width * SyntheticScene.height)
    return frames.enumerated().map { index, landmarks in
        withLuma(blank) {
            solver.solve(
                landmarks: landmarks, image: $0, timestampNanoseconds: UInt64(index + 1) * 33_333_333, into: &output)
        }
        return output.weights.values
    }
}

/// RMS deviation from the per-shape mean, averaged over shapes (the jitter a viewer sees on a still face).
func jitter(_ sequence: ArraySlice<SIMD64<Float>>) -> Float {
    let mean = sequence.reduce(SIMD64<Float>.zero, +) / Float(sequence.count)
    let variance = sequence.reduce(SIMD64<Float>.zero) { $0 + ($1 - mean) * ($1 - mean) } / Float(sequence.count)
    var total: Float = 0
    for lane in 0 ..< 52 { total += variance[lane].squareRoot() }
    return total / 52
}

func smoothed(_ sequence: [SIMD64<Float>], _ parameters: OneEuroParameters) -> [SIMD64<Float>] {
    var filter = OneEuroFilter<SIMD64<Float>>(parameters: parameters)
    return sequence.enumerated().map { filter.filter($1, timestampNanoseconds: UInt64($0 + 1) * 33_333_333) }
}

@Test("One Euro parameters by measurement: least jitter on a still face that keeps ≥ 85 % of a 100 ms blink")
func oneEuroParametersByMeasurement() throws {
    var configuration = rawConfiguration()
    configuration.estimateGaze = false
    let scene = SyntheticScene(configuration: configuration)
    var random = TestRandom(seed: 21)
    let pose = SyntheticScene.pose(yawDegrees: 5, pitchDegrees: -3, rollDegrees: 2, translation: SIMD3(0, 0, 600))
    // Still face: 0.5 px noise (dlib's jitter on single_face's still frames, see below), light expression so the bounds do not hide the noise.
    var still = BlendshapeWeights()
    for shape in SolvedShapes.linear { still[shape] = 0.2 }
    let stillFrames = try (0 ..< 90).map { _ in
        try scene.landmarks(pose: pose, weights: still, noise: 0.5, random: &random)
    }
    // Fast blink: closes and reopens in 100 ms (3 frames at 30 fps: half, closed, half), between open frames.
    let blinkProfile: [Float] = [0, 0, 0, 0, 0, 0.5, 1, 0.5, 0, 0, 0, 0, 0, 0]
    let blinkFrames = try blinkProfile.map { closure -> FaceLandmarks in
        var w = BlendshapeWeights()
        w[.eyeBlinkLeft] = closure
        w[.eyeBlinkRight] = closure
        return try scene.landmarks(pose: pose, weights: w, noise: 0.5, random: &random)
    }
    let stillRaw = try rawWeights(stillFrames, configuration: configuration)
    let blinkRaw = try rawWeights(blinkFrames, configuration: configuration)
    let rawJitter = jitter(stillRaw[30...])
    let rawPeak = blinkRaw.map { $0[ARKitBlendshape.eyeBlinkLeft.rawValue] }.max()!

    var best: (parameters: OneEuroParameters, jitter: Float)?
    var table = "minCutoffHz beta jitter blinkPeak\n"
    for cutoff: Float in [0.5, 1, 2, 3, 5] {
        for beta: Float in [0, 1, 2, 3, 5, 10, 30] {
            let parameters = OneEuroParameters(minimumCutoffHz: cutoff, beta: beta)
            let j = jitter(smoothed(stillRaw, parameters)[30...])
            let peak = smoothed(blinkRaw, parameters).map { $0[ARKitBlendshape.eyeBlinkLeft.rawValue] }.max()! / rawPeak
            table += String(format: "%.1f %.0f %.4f %.2f\n", cutoff, beta, j, peak)
            if peak >= 0.85, best == nil || j < best!.jitter { best = (parameters, j) }
        }
    }
    print(
        "One Euro grid (raw jitter \(rawJitter), raw blink peak \(rawPeak)):\n\(table)best: \(String(describing: best))"
    )
    let chosen = OneEuroParameters.weights
    let chosenJitter = jitter(smoothed(stillRaw, chosen)[30...])
    let chosenPeak = smoothed(blinkRaw, chosen).map { $0[ARKitBlendshape.eyeBlinkLeft.rawValue] }.max()! / rawPeak
    #expect(chosenPeak >= 0.85, "the default keeps \(chosenPeak) of a fast blink")
    #expect(
        chosenJitter <= best!.jitter * 1.1,
        "the default's jitter \(chosenJitter) is within 10 % of the grid's best \(best!.jitter)")
    #expect(chosenJitter < rawJitter * 0.75)

    // Real landmark jitter: dlib on the still opening frames of single_face (frames 2…14), for the record.
    let real = try dlibLandmarks(clip: "single_face")
    var travel: Float = 0
    var count: Float = 0
    for frame in 3 ... 14 {
        for k in 0 ..< 68 {
            let d = real[frame]![k] - real[frame - 1]![k]
            travel += (d * d).sum()
            count += 2
        }
    }
    print("dlib frame-to-frame landmark motion on still frames: RMS \((travel / count).squareRoot()) px per coordinate")
}

@Test("Gaze: Timm–Barth pupils in synthetic eyes give eyeLook in the right direction; closed eyes are suppressed")
func gazeDirections() throws {
    var configuration = rawConfiguration()
    configuration.estimateGaze = true
    let scene = SyntheticScene(configuration: configuration)
    var random = TestRandom(seed: 5)
    let pose = SyntheticScene.pose(yawDegrees: 0, pitchDegrees: 0, rollDegrees: 4, translation: SIMD3(0, 0, 450))
    let landmarks = try scene.landmarks(pose: pose, weights: BlendshapeWeights(), noise: 0, random: &random)
    func solve(_ solver: FaceSolver, iris: SIMD2<Float>, landmarks: FaceLandmarks, frames: Int = 1) -> FaceSolverOutput
    {
        var output = FaceSolverOutput()
        let pixels = scene.image(landmarks: landmarks, irisOffset: iris)
        for f in 0 ..< frames {
            withLuma(pixels) {
                solver.solve(
                    landmarks: landmarks, image: $0, timestampNanoseconds: UInt64(f + 1) * 33_333_333, into: &output)
            }
        }
        return output
    }
    let solver = try FaceSolver(configuration: configuration)
    let centre = solve(solver, iris: .zero, landmarks: landmarks)
    #expect(centre.flags.contains(.gazeLeftValid) && centre.flags.contains(.gazeRightValid))
    #expect(
        abs(centre.gazeLeft.x) < 0.03 && abs(centre.gazeRight.x) < 0.03,
        "centred pupils at \(centre.gazeLeft), \(centre.gazeRight)")
    // Looking toward the subject's left: left eye out, right eye in.
    let left = solve(solver, iris: SIMD2(0.12, 0), landmarks: landmarks)
    #expect(abs(left.gazeLeft.x - 0.12) < 0.04, "pupil offset \(left.gazeLeft.x) for 0.12")
    #expect(left.weights[.eyeLookOutLeft] > 0.4 && left.weights[.eyeLookInRight] > 0.4)
    #expect(left.weights[.eyeLookInLeft] == 0 && left.weights[.eyeLookOutRight] == 0)
    let right = solve(solver, iris: SIMD2(-0.12, 0), landmarks: landmarks)
    #expect(right.weights[.eyeLookInLeft] > 0.4 && right.weights[.eyeLookOutRight] > 0.4)
    let down = solve(solver, iris: SIMD2(0, 0.06), landmarks: landmarks)
    #expect(
        down.weights[.eyeLookDownLeft] > 0.3 && down.weights[.eyeLookUpLeft] == 0,
        "vertical offset \(down.gazeLeft.y) for 0.06")
    // A closed eye: no pupil search, the last open-eye gaze is held.
    var closed = BlendshapeWeights()
    closed[.eyeBlinkLeft] = 1
    closed[.eyeBlinkRight] = 1
    let closedLandmarks = try scene.landmarks(pose: pose, weights: closed, noise: 0, random: &random)
    let shut = solve(solver, iris: SIMD2(-0.12, 0), landmarks: closedLandmarks)
    #expect(!shut.flags.contains(.gazeLeftValid) && !shut.flags.contains(.gazeRightValid))
    #expect(shut.weights[.eyeBlinkLeft] > 0.8)
    for shape: ARKitBlendshape in [.eyeLookDownLeft, .eyeLookDownRight, .eyeLookInLeft, .eyeLookInRight] {
        #expect(abs(shut.weights[shape] - down.weights[shape]) < 1e-5, "\(shape) held through the blink")
    }
}

@Test("Real frames: pupils are found in both open eyes of single_face")
func realFramesGaze() throws {
    let landmarks = try dlibLandmarks(clip: "single_face")
    let source = try ReplaySource(clipDirectory: SolverTestPaths.singleFace)
    var frame = try VideoFrame()
    let solver = try FaceSolver(configuration: FaceSolverConfiguration())
    var output = FaceSolverOutput()
    var found = 0
    var frames = 0
    var index = 0
    var spread: Float = 0
    while try source.next(into: &frame) != nil {
        defer { index += 1 }
        guard let points = landmarks[index] else { continue }
        frame.withImage { image in
            solver.solve(
                landmarks: points, image: image, timestampNanoseconds: frame.timestampNanoseconds, into: &output)
        }
        frames += 1
        if output.flags.contains(.gazeLeftValid) && output.flags.contains(.gazeRightValid) { found += 1 }
        spread = max(spread, abs(output.gazeLeft.x), abs(output.gazeRight.x))
    }
    print(
        "single_face: pupils found in both eyes on \(found)/\(frames) frames; largest horizontal offset \(spread) eye widths"
    )
    // The man looks into the camera throughout: pupils found and near the calibrated centre.
    #expect(found >= frames * 9 / 10)
    #expect(spread < 0.1)
}
