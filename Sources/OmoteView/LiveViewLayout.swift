import OmoteCore

/// Lays out one live-view screen: the avatar picture on the left, the numbers that matter on the right
/// (tracking state, head pose, per-stage timings, fps, drops, guard status, the strongest blendshapes as bars).
public struct LiveViewLayout {
    public struct Geometry: Equatable, Sendable {
        /// Avatar picture in pixels (two pixel rows per text row).
        public var pictureWidth: Int
        public var pictureHeight: Int
        public var panelColumn: Int
        public var panelWidth: Int
        public var rows: Int
    }

    public static let panelWidth = 44

    /// Splits the terminal between picture and panel; the picture keeps roughly square pixels.
    public static func geometry(for size: TerminalSession.Size) -> Geometry {
        let rows = max(size.rows, 8)
        let panel = min(panelWidth, max(24, size.columns / 2))
        let pictureHeight = (rows - 1) * 2
        let pictureWidth = max(8, min(size.columns - panel - 2, pictureHeight))
        return Geometry(
            pictureWidth: pictureWidth, pictureHeight: pictureHeight, panelColumn: pictureWidth + 2,
            panelWidth: panel, rows: rows)
    }

    /// Writes the panel text for `model` into `canvas` (picture is drawn separately).
    public static func drawPanel(_ model: LiveViewModel, geometry: Geometry, into canvas: inout TerminalCanvas) {
        var row = 0
        func line(_ text: String) {
            guard row < geometry.rows - 1 else { return }
            canvas.move(row: row, column: geometry.panelColumn)
            canvas.append(pad(text, to: geometry.panelWidth))
            row += 1
        }
        canvas.resetStyle()
        line("Omote 面  \(model.sourceName.split(separator: "/").last.map(String.init) ?? "")")
        let frame = model.frame
        switch frame.tracking {
        case .searching: line("face: searching…")
        case let .tracking(id): line("face: tracking (id \(id))")
        case .lost: line("face: lost")
        }
        let angles = frame.headPose.yawPitchRoll * (180 / .pi)
        line("head: yaw \(fixed(angles.x, 1))°  pitch \(fixed(angles.y, 1))°  roll \(fixed(angles.z, 1))°")
        line(
            "\(fixed(Float(model.framesPerSecond), 1)) fps  \(model.framesProcessed) frames  \(model.framesDropped) dropped"
                + (model.latencyNanoseconds.map { "  latency \($0 / 1_000_000) ms" } ?? ""))
        if model.framesCorrupt > 0 {
            line("\(model.framesCorrupt) corrupt, first: \(model.firstCorruptReason)")
        }
        for stage in PipelineStage.allCases {
            line(
                "  \(pad(stage.label, to: 13)) \(pad(String(frame.timings[stage] / 1000), to: 6, alignRight: true)) µs")
        }
        line(String(model.guardSummary.prefix(geometry.panelWidth)))
        if !model.processes.isEmpty { line(String(model.processes.prefix(geometry.panelWidth))) }
        if !model.statusNote.isEmpty { line(model.statusNote) }
        if let calibration = frame.calibration.statusLine {
            // The prompt may be longer than the panel: wrapped at a space onto a second line rather than cut.
            let limit = calibration.index(
                calibration.startIndex, offsetBy: min(calibration.count, geometry.panelWidth))
            let cut =
                limit == calibration.endIndex
                ? limit : calibration[..<limit].lastIndex(of: " ") ?? limit
            line(String(calibration[..<cut]))
            if cut < calibration.endIndex { line("  " + calibration[cut...].drop(while: { $0 == " " })) }
        }
        line("")
        // Strongest tracked shapes first.
        var order = ARKitBlendshape.allCases.filter { frame.weights.isTracked($0) }
        order.sort { frame.weights[$0] > frame.weights[$1] }
        let barWidth = max(6, geometry.panelWidth - 26)
        for shape in order where row < geometry.rows - 2 {
            line(
                "\(pad(shape.name, to: 19)) \(bar(frame.weights[shape], width: barWidth)) \(fixed(frame.weights[shape], 2))"
            )
        }
        while row < geometry.rows - 1 { line("") }
        canvas.move(row: geometry.rows - 1, column: 0)
        canvas.append("q quit  r reset  c calibrate")
    }

    static func pad(_ text: String, to width: Int, alignRight: Bool = false) -> String {
        let count = text.count
        if count >= width { return String(text.prefix(width)) }
        let fill = String(repeating: " ", count: width - count)
        return alignRight ? fill + text : text + fill
    }

    static func fixed(_ value: Float, _ decimals: Int) -> String {
        guard value.isFinite else { return "–" }
        var scale: Float = 1
        for _ in 0 ..< decimals { scale *= 10 }
        let scaled = Int((abs(value) * scale).rounded())
        let integer = scaled / Int(scale)
        let fraction = scaled % Int(scale)
        var text = (value < 0 && scaled != 0 ? "-" : "") + String(integer)
        if decimals > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return text
    }

    /// A horizontal bar with eighth-block resolution.
    static func bar(_ value: Float, width: Int) -> String {
        let eighths = Int((max(0, min(1, value)) * Float(width * 8)).rounded())
        let partials = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        var text = String(repeating: "█", count: eighths / 8) + partials[eighths % 8]
        if text.count < width { text += String(repeating: "·", count: width - text.count) }
        return text
    }
}
