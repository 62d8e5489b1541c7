import ArgumentParser
import Foundation
import Omote
import OmoteCore

/// Replays SampleFrames through the real pipeline (guard engaged, one thread) and prints per-stage timings.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Replay SampleFrames N times through the real pipeline and print per-stage p50/p99 timings.",
        discussion: """
            Single thread, as fast as possible, under the privacy guard. Prints timings only. Then, unless --no-render, \
            the window view's render time at 960×720 (offscreen) for the avatar and a VRoid-size model. Then, unless \
            --no-jitter, the jitter of the weights and head pose on a held still (one sample frame with seeded noise, \
            each smoothing on and off) and the output filters' blink peak and lag on single_face. Then, unless \
            --no-split, the clips at their nominal rate through a sensor process and this one as its presenter (as \
            omote replay on a terminal runs, drawing into memory only), and again in one process: frames dropped by \
            each, capture → rig latency, the record path's cost per frame and the start-up.
            """
    )

    @Option(name: .customLong("repeat"), help: "How many times to replay the clips.")
    var repetitions = 3

    @Option(help: "Clips to replay (comma-separated names; default: all sample clips).")
    var clips: String?

    @Option(
        help: ArgumentHelp(
            "MediaPipe timings written just before by Tools/reference/mediapipe/time-mediapipe.sh (Benchmarks/compare-mesh.sh does both), to print the ratio.",
            valueName: "file"))
    var referenceTimings: String?

    @Flag(name: .customLong("no-split"), help: "Skip the split part (sensor process and presenter at nominal rate).")
    var skipSplit = false

    @Flag(
        name: .customLong("no-jitter"),
        help:
            "Skip the held-still jitter part (one still with seeded noise through the tracker, 120 frames × 4) and the output filters' blink peak and lag on single_face."
    )
    var skipJitter = false

    @Flag(
        name: .customLong("no-render"),
        help: "Skip the render stage (the window view's renderer, offscreen, on the clips' weights and head pose).")
    var skipRender = false

    @Option(help: ArgumentHelp("Picture size of the render stage (default: the window's 960x720).", valueName: "WxH"))
    var renderSize = "960x720"

    @Option(
        help:
            "How many times the split part plays the clips at their nominal rate (each pass twice: split, one process)."
    )
    var splitPasses = 1

    @OptionGroup var session: SessionOptions

    func validate() throws {
        guard repetitions >= 1 else { throw ValidationError("--repeat must be at least 1") }
        guard splitPasses >= 1 else { throw ValidationError("--split-passes must be at least 1") }
        _ = try ViewOptions.parseSize(renderSize)
    }

    func run() throws {
        let started = MonotonicClock.nanoseconds()
        guard SampleFrames.locate() != nil else {
            throw ValidationError("SampleFrames/ not found: run from the repository root or set OMOTE_SAMPLE_FRAMES")
        }
        let names = clips.map { $0.split(separator: ",").map(String.init) } ?? SampleFrames.clipNames
        let reference = try referenceTimings.map(MediaPipeReferenceTimings.init(contentsOfFile:))
        let clipPaths = try names.map { name -> String in
            guard let path = SampleFrames.resolveClip(name) else {
                throw ValidationError("no clip '\(name)' in SampleFrames/")
            }
            return path
        }
        // The sensor is forked first, while this process is single-threaded and before its guard engages (the order
        // of `omote replay`); it starts playing at once, so the split run comes before the table.
        let split =
            skipSplit
            ? nil
            : try BenchSplit.start(clipPaths: clipPaths, passes: splitPasses, configuration: session.configuration)
        try JPEGDecoder.loadLibrary()  // bench also decodes in this process: load before the guard forbids it
        try RigTexture.loadDecoders()  // and an --avatar's textures
        let guardStatus = try split?.engageGuard() ?? PrivacyGuard.engage(cameraDevice: nil)
        print(guardStatus.summary)
        let splitStarted = MonotonicClock.nanoseconds()
        let splitRun = split?.present(avatarPath: session.configuration.avatarPath, engagement: guardStatus.engagement)
        // Opened after the split run, which must not share the machine with anything a presenter does not do.
        let sources = try clipPaths.map { try ReplaySource(clipDirectory: $0) }
        // Start-up counts from process start (guard included), leaving out the split run before it.
        try measure(
            session.configuration, sources: sources, names: names,
            started: started + (split == nil ? 0 : MonotonicClock.nanoseconds() - splitStarted), reference: reference)
        if !skipRender {
            let (width, height) = try ViewOptions.parseSize(renderSize)
            try reportRender(session.configuration, sources: sources, width: width, height: height)
        }
        if !skipJitter { try reportJitter(session.configuration) }
        if let split, let splitRun {
            let oneProcess = try split.runOneProcess(
                configuration: session.configuration, engagement: guardStatus.engagement)
            let failed = reportSplit(
                split: splitRun, oneProcess: oneProcess, roundTrip: split.roundTrip,
                clipFrames: sources.reduce(0) { $0 + $1.frameCount } * splitPasses,
                names: names, passes: splitPasses)
            if failed { throw ExitCode(1) }
        }
    }

    /// Replays `sources` through the pipeline and prints its table.
    private func measure(
        _ configuration: PipelineConfiguration, sources: [ReplaySource], names: [String], started: UInt64,
        reference: MediaPipeReferenceTimings?
    ) throws {
        let loadStarted = MonotonicClock.nanoseconds()
        let pipeline = try MeshFacePipeline.load(configuration, progress: { _ in })
        let loadNanoseconds = MonotonicClock.nanoseconds() - loadStarted

        var frame = try VideoFrame()
        var model = LiveViewModel()
        var rig = try pipeline.rigModel.map(RigState.init(model:))
        let painter = pipeline.rigModel.map(AvatarPainter.init(model:))
        let rasterizer = try SoftwareRasterizer(width: 76, height: 76)
        var canvas = try TerminalCanvas()
        var history = TimingHistory(capacity: sources.reduce(0) { $0 + $1.frameCount } * repetitions)
        var firstDrawnNanoseconds: UInt64?
        var trackedFrames = 0
        // Steady tracking: this frame and the one before had the face (no full-frame detection involved).
        var steadyTracking: [Bool] = []
        // Acquisition: a face found on a frame after one without (the full detector ran, then landmarks).
        var acquiring: [Bool] = []
        var wasTracking = false

        for _ in 0 ..< repetitions {
            for source in sources {
                source.rewind()
                pipeline.reset()
                wasTracking = false
                while let delivery = try source.next(into: &frame) {
                    model.frame.timings = StageTimings()
                    model.frame.timings[.decode] = delivery.decodeNanoseconds
                    pipeline.process(frame, delivery: delivery, into: &model.frame, rig: &rig)
                    let tracking = if case .tracking = model.frame.tracking { true } else { false }
                    if tracking { trackedFrames += 1 }
                    steadyTracking.append(tracking && wasTracking)
                    acquiring.append(tracking && !wasTracking)
                    wasTracking = tracking
                    // Draw (into memory only: the picture and the terminal bytes are built, never written).
                    let drawStarted = MonotonicClock.nanoseconds()
                    rasterizer.clear(background: .zero)
                    if let painter, let rig { try painter.paint(rig, into: rasterizer) }
                    canvas.begin()
                    canvas.drawPicture(
                        rasterizer.color, width: rasterizer.width, height: rasterizer.height, row: 0, column: 0)
                    canvas.end()
                    if let refused = canvas.memoryError { throw refused }
                    model.frame.timings[.draw] = MonotonicClock.nanoseconds() - drawStarted
                    if firstDrawnNanoseconds == nil { firstDrawnNanoseconds = MonotonicClock.nanoseconds() - started }
                    history.append(model.frame.timings)
                }
            }
        }

        // The floor: bare libjpeg-turbo decode of the same frames (to RGB, as the tracker reads it).
        let decoder = try JPEGDecoder()
        var decodeTimes: [UInt64] = []
        for _ in 0 ..< repetitions {
            for source in sources {
                for index in 0 ..< source.frameCount {
                    let t = MonotonicClock.nanoseconds()
                    try source.withJPEG(at: index) {
                        try decoder.decode($0, into: &frame, source: source.fileName(at: index))
                    }
                    decodeTimes.append(MonotonicClock.nanoseconds() - t)
                }
            }
        }

        let endToEnd: (StageTimings) -> UInt64 = { t in
            PipelineStage.allCases.filter { $0 != .draw }.reduce(0) { $0 + t[$1] }
        }
        func mean(_ values: [UInt64]) -> Double {
            values.isEmpty ? 0 : Double(values.reduce(0, +)) / Double(values.count)
        }
        let endToEndMean = mean(history.samples.map(endToEnd))
        let decodeMean = mean(decodeTimes)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)

        let steady = { (values: [UInt64]) in zip(values, steadyTracking).filter(\.1).map(\.0) }
        let endToEndSteady = mean(steady(history.samples.map(endToEnd)))
        let decodeSteady = mean(steady(decodeTimes))

        print("")
        print(
            "omote bench: \(history.total) frames (\(names.joined(separator: ", ")) × \(repetitions)), \(trackedFrames) with a tracked face, one thread"
        )
        print(pad("", 14) + pad("all frames", 30, right: true) + pad("while tracking", 30, right: true))
        print(
            pad("stage", 14)
                + String(
                    repeating: pad("p50 µs", 10, right: true) + pad("p99 µs", 10, right: true)
                        + pad("mean µs", 10, right: true), count: 2))
        for stage in PipelineStage.allCases {
            let values = history.samples.map { $0[stage] }
            print(pad(stage.label, 14) + columns(values) + columns(steady(values)))
        }
        let endToEndTimes = history.samples.map(endToEnd)
        print(pad("end to end", 14) + columns(endToEndTimes) + columns(steady(endToEndTimes)))
        print(pad("bare decode", 14) + columns(decodeTimes) + columns(steady(decodeTimes)))
        let acquisitions = zip(endToEndTimes, acquiring).filter(\.1).map(\.0)
        if !acquisitions.isEmpty {
            print(
                pad("acquiring", 14) + columns(acquisitions)
                    + "  (end to end on \(acquisitions.count) frames that found the face anew)")
        }
        print("(end to end = decode + detect/track + landmarks + solve + rig; draw is on its own thread in live use)")
        print(
            "(stages: detect/track = BlazeFace, landmarks = warp + mesh network, solve = blendshapes + pose + "
                + "refinement + output filters)")
        print(
            String(
                format: "frames per second on one core: %.0f all frames, %.0f while tracking",
                1e9 / max(endToEndMean, 1),
                1e9 / max(endToEndSteady, 1)))
        print(
            String(
                format: "end to end ÷ bare JPEG decode: %.2f× all frames, %.2f× while tracking",
                endToEndMean / max(decodeMean, 1), endToEndSteady / max(decodeSteady, 1)))
        if let reference {
            let ours = steady(endToEndTimes).sorted()
            let p50 = ours.isEmpty ? 0 : Double(ours[ours.count / 2])
            print(
                String(
                    format:
                        "MediaPipe Face Landmarker (%@): p50 %.0f µs per frame; Omote while tracking p50 %.0f µs: %.2f× faster",
                    reference.label, reference.medianMicroseconds, p50 / 1000,
                    reference.medianMicroseconds * 1000 / max(p50, 1)))
        }
        print(String(format: "models + avatar load: %.0f ms", Double(loadNanoseconds) / 1e6))
        print(String(format: "start-up to first drawn frame: %.0f ms", Double(firstDrawnNanoseconds ?? 0) / 1e6))
        print(String(format: "peak RSS: %.1f MB", Double(usage.ru_maxrss) / 1024))
    }

    private func columns(_ nanoseconds: [UInt64]) -> String {
        let sorted = nanoseconds.sorted()
        func q(_ p: Double) -> Double {
            sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]) / 1000
        }
        let mean = sorted.isEmpty ? 0 : Double(sorted.reduce(0, +)) / Double(sorted.count) / 1000
        return pad(String(format: "%.0f", q(0.5)), 10, right: true)
            + pad(String(format: "%.0f", q(0.99)), 10, right: true)
            + pad(String(format: "%.1f", mean), 10, right: true)
    }

    func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
