import ArgumentParser
import Foundation
import Omote

/// Where `omote live` and `omote replay` show the avatar.
enum ViewKind: String, ExpressibleByArgument, CaseIterable {
    case terminal, window
}

/// What a session shows, decided once before the sensor starts.
enum SessionView: Equatable {
    /// stdout is not a terminal and no window was asked for: timings only (the sensor sends no expression data).
    case headless
    case terminal
    case window(WindowSettings)
}

/// The view options of `omote live` and `omote replay`.
struct ViewOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Where to show the avatar: terminal (the default on a terminal) or window (an X11 window at full size, for OBS; needs DISPLAY).",
            valueName: "terminal|window"))
    var view: ViewKind?

    @Option(
        help: ArgumentHelp(
            "Window background: a key colour (green, blue, magenta, black, white, #RRGGBB) or transparent (a 32-bit visual under a compositor; black without one).",
            valueName: "colour"))
    var background = "green"

    @Option(help: ArgumentHelp("Window size (default 960x720; resizable afterwards).", valueName: "WxH"))
    var windowSize = "960x720"

    @Flag(help: "Start with the window's overlay (tracking state, fps, render time) hidden; h toggles it.")
    var noOverlay = false

    func validate() throws {
        _ = try Self.parseBackground(background)
        _ = try Self.parseSize(windowSize)
        if view == .terminal && !OutputPolicy.expressionDataAllowed {
            throw ValidationError(
                "--view terminal needs stdout to be an interactive terminal (it is not); use --view window, or run without --view for timings only"
            )
        }
    }

    /// The session's view: the asked one, else the terminal when stdout is one, else timings only.
    var sessionView: SessionView {
        switch view {
        case .window?:
            var settings = WindowSettings()
            settings.background = (try? Self.parseBackground(background)) ?? settings.background
            if let size = try? Self.parseSize(windowSize) { (settings.width, settings.height) = size }
            settings.overlay = !noOverlay
            return .window(settings)
        case .terminal?: return .terminal
        case nil: return OutputPolicy.expressionDataAllowed ? .terminal : .headless
        }
    }

    static let namedColours: [String: UInt32] = [
        "green": 0xFF00_FF00, "blue": 0xFF00_00FF, "magenta": 0xFFFF_00FF, "black": 0xFF00_0000,
        "white": 0xFFFF_FFFF, "transparent": 0x0000_0000,
    ]

    /// `green`, `#00b140`, `transparent` → 0xAARRGGBB.
    static func parseBackground(_ text: String) throws -> UInt32 {
        let lowered = text.lowercased()
        if let named = namedColours[lowered] { return named }
        if lowered.hasPrefix("#"), lowered.count == 7, let value = UInt32(lowered.dropFirst(), radix: 16) {
            return 0xFF00_0000 | value
        }
        throw ValidationError(
            "--background \(text): give a colour name (\(namedColours.keys.sorted().joined(separator: ", "))) or #RRGGBB"
        )
    }

    static func parseSize(_ text: String) throws -> (Int, Int) {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), (64 ... 7680).contains(width),
            (64 ... 4320).contains(height)
        else {
            throw ValidationError("--window-size \(text): give WIDTHxHEIGHT, each 64 to 7680 (e.g. 1280x720)")
        }
        return (width, height)
    }
}
