import OmoteCore
import Testing

@testable import OmoteMesh

/// The guided calibration's arithmetic on made-up scores at 30 frames a second: rest offsets from the neutral face's
/// highest scores, gains from each prompt's peak, skipped prompts, face time, a lost face.
@Suite struct BlendshapeCalibrationTests {
    static let frameNanoseconds: UInt64 = 33_333_334

    /// Scores with every shape tracked.
    static func scores(_ pairs: [(ARKitBlendshape, Float)]) -> BlendshapeWeights {
        var weights = BlendshapeWeights()
        for (shape, value) in pairs { weights[shape] = value }
        weights.trackedMask = (1 << 52) - 1
        return weights
    }

    /// Feeds `frames` frames of `weights(frame)` (nil: no face) from `clock`, advancing it.
    static func feed(
        _ calibration: inout BlendshapeCalibration, frames: Int, clock: inout UInt64,
        _ weights: (Int) -> BlendshapeWeights?
    ) {
        for frame in 0 ..< frames {
            calibration.observe(weights(frame), at: clock)
            clock += frameNanoseconds
        }
    }

    /// A resting face: pucker wandering 0.20–0.28, jaw 0.03, blinks 0.1.
    static func relaxed(_ frame: Int) -> BlendshapeWeights {
        scores([
            (.mouthPucker, 0.20 + 0.08 * Float(frame % 5) / 4), (.jawOpen, 0.03), (.eyeBlinkLeft, 0.1),
            (.eyeBlinkRight, 0.1),
        ])
    }

    /// Runs the six prompts: `expression(step)` is what the user does on each expression prompt (a 1 s approach,
    /// then held), 76 frames a prompt (2.5 s at 30 fps, plus the first frame, which only starts the clock).
    static func calibrate(
        _ calibration: inout BlendshapeCalibration, clock: inout UInt64,
        expression: (CalibrationProgress.Step) -> [(ARKitBlendshape, Float)]
    ) {
        calibration.start()
        feed(&calibration, frames: 76, clock: &clock, relaxed)
        for step in CalibrationProgress.Step.allCases.dropFirst() {
            #expect(calibration.progress.step == step)
            feed(&calibration, frames: 75, clock: &clock) { frame in
                var weights = relaxed(frame)
                for (shape, peak) in expression(step) { weights[shape] = peak * min(1, Float(frame) / 30) }
                return weights
            }
        }
    }

    static func performed(_ step: CalibrationProgress.Step) -> [(ARKitBlendshape, Float)] {
        switch step {
        case .neutral: []
        case .jawOpen: [(.jawOpen, 0.7)]
        case .smile: [(.mouthSmileLeft, 0.6), (.mouthSmileRight, 0.5)]
        case .pucker: [(.mouthPucker, 0.9)]
        case .browsUp: [(.browInnerUp, 0.8), (.browOuterUpLeft, 0.5), (.browOuterUpRight, 0.5)]
        case .eyesClosed: [(.eyeBlinkLeft, 0.75), (.eyeBlinkRight, 0.7)]
        }
    }

    @Test("rest from the neutral face's highest scores, gains from each prompt's peak: rest reads 0, the peak 1")
    func restAndRange() {
        var calibration = BlendshapeCalibration()
        var clock: UInt64 = 1_000_000_000
        Self.calibrate(&calibration, clock: &clock, expression: Self.performed)
        #expect(calibration.isApplied && !calibration.isRunning)
        #expect(calibration.progress.outcome == .calibrated && calibration.progress.skippedSteps == 0)
        // Rest: the neutral face's highest scores (pucker 0.28, jaw 0.03, blinks 0.1).
        #expect(abs(calibration.offsets[ARKitBlendshape.mouthPucker.rawValue] - 0.28) < 1e-6)
        #expect(abs(calibration.offsets[ARKitBlendshape.jawOpen.rawValue] - 0.03) < 1e-6)
        for frame in 0 ..< 10 {
            var weights = Self.relaxed(frame)
            calibration.apply(to: &weights)
            #expect(weights.values.max() == 0, "a relaxed face reads 0 on every shape")
        }
        // Each prompt's peak reads 1; half-way reads half; a shape without a prompt keeps 1 at 1.
        var weights = Self.scores([
            (.jawOpen, 0.7), (.mouthPucker, 0.9), (.eyeBlinkLeft, 0.75), (.mouthSmileRight, 0.25),
            (.cheekPuff, 1), (.mouthRollLower, 0.5), (.tongueOut, 0.7),
        ])
        weights.trackedMask &= ~(1 << UInt64(ARKitBlendshape.tongueOut.rawValue))
        calibration.apply(to: &weights)
        #expect(abs(weights[.jawOpen] - 1) < 1e-5 && abs(weights[.mouthPucker] - 1) < 1e-5)
        #expect(abs(weights[.eyeBlinkLeft] - 1) < 1e-5)
        #expect(abs(weights[.mouthSmileRight] - 0.5) < 1e-5, "smile right: rest 0, peak 0.5")
        #expect(weights[.cheekPuff] == 1)
        #expect(weights[.mouthRollLower] == 0.5, "no rest, no prompt: unchanged")
        #expect(weights[.tongueOut] == 0.7, "an untracked shape is not the calibration's")
    }

    @Test("a prompt not performed is skipped: its shapes keep the rest offset and 1 / (1 − rest)")
    func skippedPrompt() {
        var calibration = BlendshapeCalibration()
        var clock: UInt64 = 0
        Self.calibrate(&calibration, clock: &clock) { $0 == .jawOpen ? [(.jawOpen, 0.1)] : Self.performed($0) }
        #expect(calibration.progress.skipped == [.jawOpen])
        #expect(calibration.progress.statusLine == "calibrated; not seen: jawOpen (c to redo)")
        var weights = Self.scores([(.jawOpen, 0.515)])
        calibration.apply(to: &weights)
        #expect(abs(weights[.jawOpen] - 0.5) < 1e-5, "(0.515 − 0.03) / 0.97")
    }

    @Test("the prompts count tracked-face time only, show the tenths left, and wait for the first face")
    func faceTime() {
        var calibration = BlendshapeCalibration()
        var clock: UInt64 = 0
        calibration.start()
        #expect(calibration.progress.step == .neutral && calibration.progress.decisecondsLeft == 25)
        #expect(calibration.progress.statusLine == "calibration 1/6, 2.5 s: relax your face, mouth closed")
        // `--calibrate` before the first face: 10 s of no face is not lost time.
        Self.feed(&calibration, frames: 300, clock: &clock) { _ in nil }
        #expect(calibration.progress.step == .neutral)
        Self.feed(&calibration, frames: 31, clock: &clock, Self.relaxed)
        #expect(calibration.progress.decisecondsLeft == 15, "1 s of face: 1.5 s left")
        // A face lost for 3 s, then back: the prompt resumes where it was.
        Self.feed(&calibration, frames: 90, clock: &clock) { _ in nil }
        Self.feed(&calibration, frames: 1, clock: &clock, Self.relaxed)
        #expect(calibration.progress.step == .neutral && calibration.progress.decisecondsLeft == 15)
        Self.feed(&calibration, frames: 45, clock: &clock, Self.relaxed)
        #expect(calibration.progress.step == .jawOpen)
        // A stalled camera (a 2 s gap between frames) counts 0.1 s, not 2.
        clock += 2_000_000_000
        Self.feed(&calibration, frames: 1, clock: &clock, Self.relaxed)
        #expect(calibration.progress.decisecondsLeft == 24)
    }

    @Test("the face lost for 5 s ends the calibration without a result; the previous one still applies")
    func lostFace() {
        var calibration = BlendshapeCalibration()
        var clock: UInt64 = 0
        Self.calibrate(&calibration, clock: &clock, expression: Self.performed)
        let applied = calibration
        calibration.start()
        Self.feed(&calibration, frames: 40, clock: &clock, Self.relaxed)
        Self.feed(&calibration, frames: 149, clock: &clock) { _ in nil }
        #expect(calibration.isRunning, "4.97 s lost: still waiting")
        Self.feed(&calibration, frames: 2, clock: &clock) { _ in nil }
        #expect(!calibration.isRunning && calibration.progress.outcome == .noFace)
        #expect(calibration.progress.statusLine == "calibration stopped: no face for 5 s (c to retry)")
        #expect(calibration.isApplied, "the last finished calibration still applies")
        #expect(calibration.offsets == applied.offsets && calibration.gains == applied.gains)
    }

    @Test("a neutral face held in an expression is capped: rest at most 0.5, gains at most 4")
    func bounds() {
        var calibration = BlendshapeCalibration()
        var clock: UInt64 = 0
        calibration.start()
        Self.feed(&calibration, frames: 76, clock: &clock) { _ in Self.scores([(.mouthSmileLeft, 0.9)]) }
        Self.feed(&calibration, frames: 75, clock: &clock) { _ in Self.scores([(.jawOpen, 0.16)]) }
        for _ in 0 ..< 4 { Self.feed(&calibration, frames: 75, clock: &clock) { _ in Self.scores([]) } }
        #expect(calibration.isApplied)
        #expect(calibration.offsets[ARKitBlendshape.mouthSmileLeft.rawValue] == 0.5)
        #expect(calibration.gains[ARKitBlendshape.jawOpen.rawValue] == 4, "1 / 0.16 capped")
        #expect("\(calibration)" == "BlendshapeCalibration(redacted)")
    }
}
