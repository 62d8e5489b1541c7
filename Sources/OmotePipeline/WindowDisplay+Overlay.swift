import OmoteCore
import OmoteView

extension WindowDisplay {
    /// The window's overlay: tracking state, camera and render rates, the keys. Its text is rebuilt at most twice a
    /// second (and when the state changes), so drawing it allocates nothing in between.
    struct OverlayState {
        var visible: Bool { didSet { revision += 1 } }
        private(set) var lines: [String] = []
        private var tracking = ""
        private var note = ""
        private var calibration = CalibrationProgress()
        private var lastRebuild: UInt64 = 0
        private var framesSinceRebuild = 0
        private var pictureRate: Double = 0
        private var cameraRate: Double = 0

        /// Whether calibration prompts are showing: drawn even with the overlay hidden (the user pressed c).
        var isCalibrating: Bool { calibration.step != nil }

        init(visible: Bool) { self.visible = visible }

        mutating func frameArrived(at _: UInt64) { framesSinceRebuild += 1 }

        /// Takes the newest state; true when the text changed.
        mutating func update(_ model: LiveViewModel, note statusNote: String, finished: Bool) -> Bool {
            let state: String
            switch model.frame.tracking {
            case .tracking: state = "tracking"
            case .searching: state = "searching for a face"
            case .lost: state = "face lost"
            }
            let newNote = finished && statusNote.isEmpty ? "end of input" : statusNote
            // Compared as numbers; the line is written only when they change (no string per frame).
            let newCalibration = model.frame.calibration
            let now = MonotonicClock.nanoseconds()
            let due = now &- lastRebuild >= 500_000_000
            guard due || state != tracking || newNote != note || newCalibration != calibration else { return false }
            if due {
                let seconds = Double(now &- lastRebuild) / 1e9
                pictureRate = lastRebuild == 0 ? 0 : Double(framesSinceRebuild) / seconds
                framesSinceRebuild = 0
                lastRebuild = now
            }
            cameraRate = model.framesPerSecond
            tracking = state
            note = newNote
            calibration = newCalibration
            revision += 1
            return true
        }

        /// Draws the text over `pixels` (the renderer's picture, after rendering).
        mutating func draw(into pixels: MemoryView<UInt32>, width: Int, height: Int, renderNanoseconds: UInt64) {
            if builtRevision != revision {
                builtRevision = revision
                lines =
                    visible
                    ? [
                        note.isEmpty ? tracking : "\(tracking) - \(note)",
                        String(format: "camera %.1f fps  shown %.1f fps", cameraRate, pictureRate),
                        String(format: "render %.1f ms", Double(renderNanoseconds) / 1e6),
                        "h hides this  q quits  c calibrates",
                    ] : []
                if let line = calibration.statusLine, visible || isCalibrating { lines.append(line) }
            }
            OverlayText.draw(lines, into: pixels, width: width, height: height, scale: width >= 800 ? 2 : 1)
        }

        private var revision = 0
        private var builtRevision = -1
    }
}
