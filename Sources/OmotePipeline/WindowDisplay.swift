import OmoteCore
import OmoteRig
import OmoteView
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The drawing side of a session in an X11 window: renders the newest rig state whenever one arrives (at most
/// `maximumRate` times a second), handles the window's keys and close button, and quits on SIGTERM, SIGINT or SIGHUP.
/// Tracking runs elsewhere (the sensor process, or the runner's thread), so a slow frame here only skips pictures.
public enum WindowDisplay {
    /// The quit signal received, 0 until one arrives: set by the termination handlers (an atomic store is
    /// async-signal-safe).
    private static let terminationSignal = Atomic<Int32>(0)

    /// The signal that ended the last `run`, if one did. A signal sent to the whole process group (Ctrl-C in the
    /// terminal that started the window, `timeout`, a service manager) also reaches the sensor, and its death by that
    /// signal is then part of quitting, not a failure.
    public static var receivedQuitSignal: Int32? {
        let signalNumber = terminationSignal.load(ordering: .relaxed)
        return signalNumber == 0 ? nil : signalNumber
    }

    /// Runs until the user quits, a signal asks to, or a camera disconnects. Returns why the display stopped early
    /// (its memory could not be locked, the X server went away), if it did.
    @discardableResult
    public static func run(
        _ feed: some LiveFeed, window presenterWindow: PresenterWindow, model: RigModel, maximumRate: Double = 60
    ) -> String? {
        let window = presenterWindow.window
        let renderer: AvatarRenderer
        let restPose: RigState
        do throws(OmoteError) {
            renderer = try AvatarRenderer(model: model, width: window.width, height: window.height)
            restPose = try RigState(model: model)
        } catch {
            stopAndWait(feed)
            return "display: \(error)"
        }
        renderer.background = presenterWindow.settings.background
        let previous = installTerminationHandlers()
        defer { restoreTerminationHandlers(previous) }

        var overlay = OverlayState(visible: presenterWindow.settings.overlay)
        let period = UInt64(1e9 / maximumRate)
        var nextDraw = MonotonicClock.nanoseconds()
        var needsDraw = true
        var framesSeen = false
        var firstFrameDrawn = false
        var failure: String?
        var quit = false
        while !quit {
            if terminationSignal.load(ordering: .relaxed) != 0 { break }
            while let event = window.nextEvent() {
                switch event {
                case .quit: quit = true
                case .key(UInt8(ascii: "h")):
                    overlay.visible.toggle()
                    needsDraw = true
                case .key(UInt8(ascii: "r")): feed.requestReset()
                case .key(UInt8(ascii: "c")): feed.requestCalibration()
                case .key: break
                case .resized, .exposed: needsDraw = true
                }
            }
            if quit { break }
            let (result, isNew) = feed.results.acquireNewest()
            if isNew {
                framesSeen = true
                needsDraw = true
                overlay.frameArrived(at: MonotonicClock.nanoseconds())
            }
            let finished = feed.isFinished
            if finished && feed.failureCode == .captureDisconnected { break }
            let wasCalibrating = overlay.isCalibrating
            if overlay.update(result.viewModel, note: feed.latest.read().value.statusNote, finished: finished) {
                needsDraw = needsDraw || overlay.visible || overlay.isCalibrating || wasCalibrating
            }
            if needsDraw {
                needsDraw = false
                do throws(OmoteError) {
                    if renderer.width != window.width || renderer.height != window.height {
                        try renderer.resize(width: window.width, height: window.height)
                    }
                    try renderer.render(result.rig ?? restPose)
                    if overlay.visible || overlay.isCalibrating {
                        overlay.draw(
                            into: renderer.pixels, width: renderer.width, height: renderer.height,
                            renderNanoseconds: renderer.lastRenderNanoseconds)
                    }
                    try window.present(
                        UnsafeBufferPointer(start: renderer.pixels.baseAddress, count: renderer.pixels.count),
                        width: renderer.width, height: renderer.height)
                } catch {
                    failure = "display: \(error)"
                    break
                }
                if framesSeen && !firstFrameDrawn {
                    firstFrameDrawn = true
                    feed.firstFrameDrawn()
                }
            }
            nextDraw += period
            let now = MonotonicClock.nanoseconds()
            if nextDraw < now { nextDraw = now }
            MonotonicClock.sleep(untilNanoseconds: nextDraw)
        }
        stopAndWait(feed)
        return failure
    }

    static func stopAndWait(_ feed: some LiveFeed) {
        feed.requestStop()
        while !feed.isFinished { MonotonicClock.sleep(untilNanoseconds: MonotonicClock.nanoseconds() + 5_000_000) }
    }

    private static let quitSignals = [SIGTERM, SIGINT, SIGHUP]

    /// Handlers that only set the flag; the previous dispositions, to put back.
    private static func installTerminationHandlers() -> [sigaction] {
        terminationSignal.store(0, ordering: .relaxed)
        var handler = sigaction()
        handler.__sigaction_handler.sa_handler = { signalNumber in
            WindowDisplay.terminationSignal.store(signalNumber, ordering: .relaxed)
        }
        let previous = quitSignals.map { signalNumber in
            var previous = sigaction()
            sigaction(signalNumber, &handler, &previous)
            return previous
        }
        // A launcher may hand over a blocked signal mask (it is inherited across exec): this thread takes them.
        var quitSet = sigset_t()
        sigemptyset(&quitSet)
        for signalNumber in quitSignals { sigaddset(&quitSet, signalNumber) }
        pthread_sigmask(SIG_UNBLOCK, &quitSet, nil)
        return previous
    }

    private static func restoreTerminationHandlers(_ previous: [sigaction]) {
        for (signalNumber, var action) in zip(quitSignals, previous) { sigaction(signalNumber, &action, nil) }
    }
}
