import OmoteCapture
import OmoteCore
import OmoteView

/// The drawing side of a live or replay session: draws the newest state at most `maximumRate` times a second on the
/// terminal, handles keys, and restores the terminal however the session ends.
public enum LiveDisplay {
    /// Runs until the user quits or the source ends. Returns when processing has stopped.
    /// Returns why the display stopped early (its memory could not be locked), if it did.
    @discardableResult
    public static func runInteractive(
        _ runner: some LiveFeed, terminal: TerminalSession, avatar: AvatarPainter?,
        maximumRate: Double = 30
    ) -> String? {
        defer { terminal.restore() }
        let rasterizer: SoftwareRasterizer
        var canvas: TerminalCanvas
        do throws(OmoteError) {
            rasterizer = try SoftwareRasterizer(width: 1, height: 1)
            canvas = try TerminalCanvas()
        } catch {
            stopAndWait(runner)
            return "display: \(error)"
        }
        var lastSize: TerminalSession.Size?
        var lastVersion: UInt64 = .max
        var lastNote = ""
        var version: UInt64 = 0
        let period = UInt64(1e9 / maximumRate)
        var drawNanoseconds: UInt64 = 0
        var nextDraw = MonotonicClock.nanoseconds()
        var quit = false
        var finishedShown = false
        var framesSeen = false
        var firstFrameDrawn = false
        var displayFailure: String?
        while !quit {
            for key in terminal.pendingKeys() {
                switch key {
                case .quit: quit = true
                case .other(UInt8(ascii: "r")): runner.requestReset()
                case .other(UInt8(ascii: "c")): runner.requestCalibration()
                case .other: break
                }
            }
            let size = terminal.size
            let (result, isNew) = runner.results.acquireNewest()
            if isNew { framesSeen = true }
            var snapshot = result.viewModel
            if isNew { version &+= 1 }
            // A note from the processing thread between frames (a stalled camera) is newer than the last frame.
            let note = runner.latest.read().value.statusNote
            if !note.isEmpty { snapshot.statusNote = note }
            if note != lastNote {
                lastNote = note
                version &+= 1
            }
            // A finished source (end of clip, a failure) stays on screen until the user quits; an unplugged camera hands
            // over at once, to the launcher that waits for it to come back (CameraGenerations).
            let finished = runner.isFinished
            if finished && runner.failureCode == .captureDisconnected { break }
            if finished {
                snapshot.statusNote =
                    runner.failureDescription.map { "stopped: \($0)" } ?? "end of input: press q to quit"
            }
            if version != lastVersion || size != lastSize || (finished && !finishedShown) {
                finishedShown = finished
                let started = MonotonicClock.nanoseconds()
                let geometry = LiveViewLayout.geometry(for: size)
                var pictureError: OmoteError?
                do throws(OmoteError) {
                    try rasterizer.resize(width: geometry.pictureWidth, height: geometry.pictureHeight)
                    rasterizer.clear(background: SIMD3(0.06, 0.07, 0.09))
                    if let avatar, let rig = result.rig { try avatar.paint(rig, into: rasterizer) }
                } catch {
                    pictureError = error
                }
                var model = snapshot
                model.frame.timings[.draw] = drawNanoseconds
                canvas.begin()
                if size != lastSize { canvas.clearScreen() }
                canvas.drawPicture(
                    rasterizer.color, width: rasterizer.width, height: rasterizer.height, row: 0, column: 0)
                LiveViewLayout.drawPanel(model, geometry: geometry, into: &canvas)
                canvas.end()
                if let error = pictureError ?? canvas.memoryError {
                    // A buffer could not grow in locked memory: stop rather than draw from swappable memory or show
                    // a partial update.
                    displayFailure = "display: \(error)"
                    quit = true
                } else {
                    terminal.writeAll(canvas.bytes.bytes)
                    if framesSeen && !firstFrameDrawn {
                        firstFrameDrawn = true
                        runner.firstFrameDrawn()
                    }
                }
                drawNanoseconds = MonotonicClock.nanoseconds() - started
                lastVersion = version
                lastSize = size
            }
            nextDraw += period
            let now = MonotonicClock.nanoseconds()
            if nextDraw < now { nextDraw = now }
            MonotonicClock.sleep(untilNanoseconds: nextDraw)
        }
        stopAndWait(runner)
        return displayFailure
    }

    /// Asks the feed to stop and waits until it has.
    static func stopAndWait(_ runner: some LiveFeed) {
        runner.requestStop()
        while !runner.isFinished { MonotonicClock.sleep(untilNanoseconds: MonotonicClock.nanoseconds() + 5_000_000) }
    }
}
