import OmoteCore
import OmoteView

/// Where a presenter draws the avatar.
public enum PresenterView {
    /// Half-block pixels and the status panel on this terminal (the default on a terminal).
    case terminal
    /// An X11 window (`--view window`), opened before the presenter's guard engages.
    case window(PresenterWindow)
}

/// How the window view looks.
public struct WindowSettings: Sendable, Equatable {
    public var width = 960
    public var height = 720
    /// 0xAARRGGBB, straight alpha; alpha 0 asks for a transparent window (an ARGB visual under a compositor), and
    /// falls back to the key colour black when the X server cannot show transparency.
    public var background: UInt32 = 0xFF00_FF00
    /// Tracking state, fps and render time in the top-left corner (`h` toggles).
    public var overlay = true

    public init() {}
}

/// The presenter's X11 window: connected before the guard engages (opening a socket is forbidden afterwards), its
/// socket then the only one the presenter may write. The sensor never holds it: the window is opened after the
/// sensor process is forked.
public final class PresenterWindow {
    public let window: X11Window
    public let settings: WindowSettings

    /// Opens `Omote — <source>` on `display` (nil: $DISPLAY).
    public init(sourceName: String, settings: WindowSettings, display: String? = nil) throws(OmoteError) {
        let transparent = settings.background >> 24 == 0
        window = try X11Window(
            display: display, title: "Omote — \(sourceName)", width: settings.width, height: settings.height,
            transparent: transparent)
        var effective = settings
        if transparent && !window.hasAlpha { effective.background = 0xFF00_0000 }
        self.settings = effective
    }

    /// Whether the window shows real transparency (ARGB visual with a compositor).
    public var isTransparent: Bool { window.hasAlpha && settings.background >> 24 == 0 }

    /// One status line: where the window is and how its background is keyed.
    public var summary: String {
        let background =
            isTransparent
            ? "transparent background"
            : settings.background >> 24 == 0
                ? "transparent background requested, but the X server has no compositor with a 32-bit visual: black"
                : "background #" + String(settings.background & 0xFF_FFFF, radix: 16, uppercase: true).leftPadded(6)
        return "window on \(window.displayName), \(window.width)×\(window.height), \(background)"
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension Presenter {
    /// Opens the window view for a session whose sensor is already forked (so the sensor never holds the X
    /// connection) and before the presenter's guard engages. When the window cannot open (no display, no libxcb),
    /// the sensor is told to quit and waited for, and the error is thrown.
    public static func openWindow(
        for sensor: SensorProcess.Handle, sourceName: String, settings: WindowSettings
    ) throws(OmoteError) -> PresenterWindow {
        do throws(OmoteError) {
            return try PresenterWindow(sourceName: sourceName, settings: settings)
        } catch {
            _ = abandoned(sensor, error)
            throw error
        }
    }
}
