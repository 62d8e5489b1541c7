import CXCBShim
import Glibc
import OmoteCore

/// What the user did to the window, as the presenter needs it.
public enum WindowEvent: Equatable, Sendable {
    /// 'q', Escape (or Ctrl-C), or the window manager's close button (WM_DELETE_WINDOW); also a broken connection.
    case quit
    /// Another printable key, as ASCII (e.g. UInt8(ascii: "h")).
    case key(UInt8)
    /// The window now has this size (ConfigureNotify).
    case resized(width: Int, height: Int)
    /// Part of the window must be redrawn: present again.
    case exposed
}

/// A plain X11 window (through libxcb, no toolkit and no X extension) the presenter draws the avatar into with
/// `present`, and reads keys, resizes and the close button from with `nextEvent`. Not thread-safe: one thread owns it.
public final class X11Window {
    let connection: X11Connection
    let window: xcb_window_t
    let graphicsContext: xcb_gcontext_t
    /// The window's depth: 24 (xRGB) or 32 (ARGB).
    let depth: UInt8
    let atoms: Atoms
    /// Keysyms by keycode, for turning KeyPress into ASCII (refreshed on MappingNotify).
    var keyboard: X11Keyboard
    /// The most rows one PutImage request may carry at the current width is derived from this (bytes).
    let maximumRequestBytes: Int
    /// The last X error an unchecked request (PutImage) caused: error code and request opcode; for diagnostics.
    package internal(set) var lastServerError: (code: UInt8, request: UInt8)?
    var isClosed = false

    // internal(set), not private(set): the event handling in X11Window+Events.swift keeps them current.
    public internal(set) var width: Int
    public internal(set) var height: Int
    /// Whether the window uses a 32-bit ARGB visual, so that a compositor blends it by its alpha.
    public let hasAlpha: Bool
    /// The display as given or taken from $DISPLAY, for messages.
    public let displayName: String

    /// The atoms the window sets or recognises.
    struct Atoms {
        var wmProtocols: xcb_atom_t
        var wmDeleteWindow: xcb_atom_t
        var netWMName: xcb_atom_t
        var utf8String: xcb_atom_t
        var compositorSelection: xcb_atom_t
    }

    /// Connects to `display` (nil: $DISPLAY), creates a resizable window `width`×`height` titled `title` (UTF-8),
    /// maps it and waits (up to 2 s) until it is exposed. `transparent` asks for a 32-bit ARGB visual, used only when
    /// the screen has one and a compositor runs (otherwise the default 24-bit visual, and `hasAlpha` is false).
    public convenience init(
        display: String? = nil, title: String, width: Int = 960, height: Int = 720, transparent: Bool = false
    ) throws(OmoteError) {
        try self.init(
            display: display, displayVariable: X11Connection.displayVariable, title: title, width: width,
            height: height,
            transparent: transparent)
    }

    /// As the public initializer, with $DISPLAY's value given (`displayVariable`) rather than read: tests check the
    /// "DISPLAY unset" error without changing the process environment under concurrently running tests.
    package init(
        display: String?, displayVariable: String?, title: String, width: Int, height: Int, transparent: Bool
    ) throws(OmoteError) {
        let connection = try X11Connection(display: display, displayVariable: displayVariable)
        let raw = connection.raw
        let screen = connection.screen.pointee
        let names = [
            "WM_PROTOCOLS", "WM_DELETE_WINDOW", "_NET_WM_NAME", "UTF8_STRING", "_NET_WM_CM_S\(connection.screenNumber)",
        ]
        let atomValues = try connection.atoms(names)
        atoms = Atoms(
            wmProtocols: atomValues[0], wmDeleteWindow: atomValues[1], netWMName: atomValues[2],
            utf8String: atomValues[3], compositorSelection: atomValues[4])

        let visual = try X11Visual.choose(
            for: connection, transparent: transparent, compositor: atoms.compositorSelection)
        guard (1 ... 32767).contains(width), (1 ... 32767).contains(height) else {
            throw .x11FrameMismatch(connection.displayName, width: width, height: height, count: 0)
        }

        // Background black (transparent for ARGB) so that an exposed area never shows garbage before the next
        // present; a 32-bit visual needs its own colormap and a border pixel, or CreateWindow fails with BadMatch.
        let window = omote_xcb_generate_id(raw)
        let eventMask =
            XCB_EVENT_MASK_EXPOSURE.rawValue | XCB_EVENT_MASK_STRUCTURE_NOTIFY.rawValue
            | XCB_EVENT_MASK_KEY_PRESS.rawValue
        var valueMask = XCB_CW_BACK_PIXEL.rawValue | XCB_CW_BORDER_PIXEL.rawValue | XCB_CW_EVENT_MASK.rawValue
        var values: [UInt32] = [0, 0, eventMask]
        if visual.id != screen.root_visual {
            let colormap = omote_xcb_generate_id(raw)
            omote_xcb_create_colormap(raw, UInt8(XCB_COLORMAP_ALLOC_NONE.rawValue), colormap, screen.root, visual.id)
            valueMask |= XCB_CW_COLORMAP.rawValue
            values.append(colormap)
        }
        let created = omote_xcb_create_window_checked(
            raw, visual.depth, window, screen.root, 0, 0, UInt16(width), UInt16(height), 0,
            UInt16(XCB_WINDOW_CLASS_INPUT_OUTPUT.rawValue), visual.id, valueMask, values)
        try connection.check(created, "create the window")

        self.connection = connection
        self.window = window
        self.depth = visual.depth
        self.hasAlpha = visual.depth == 32
        self.displayName = connection.displayName
        self.width = width
        self.height = height
        keyboard = try X11Keyboard(connection)
        graphicsContext = omote_xcb_generate_id(raw)
        // No GraphicsExpose events: PutImage never needs them, and they would only wake the event loop.
        let gcValues: [UInt32] = [0]
        omote_xcb_create_gc(raw, graphicsContext, window, XCB_GC_GRAPHICS_EXPOSURES.rawValue, gcValues)
        // In 4-byte units; asking enables BIG-REQUESTS when the server has it (a one-time round trip).
        maximumRequestBytes = Int(omote_xcb_get_maximum_request_length(raw)) * 4

        setProperties(title: title)
        omote_xcb_map_window(raw, window)
        omote_xcb_flush(raw)
        waitUntilExposed(seconds: 2)
    }

    deinit { close() }

    /// The socket to the X server: the one descriptor the window keeps using (the privacy guard keeps it open).
    public var connectionDescriptor: Int32 { connection.fileDescriptor }

    /// Destroys the window and disconnects; idempotent (also done on deinit).
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        if !connection.hasFailed {
            omote_xcb_destroy_window(connection.raw, window)
            omote_xcb_flush(connection.raw)
        }
        connection.disconnect()
    }

    /// The title (WM_NAME and _NET_WM_NAME, both UTF-8: the title has non-Latin-1 characters), the class, and
    /// WM_DELETE_WINDOW so that the close button sends a message instead of killing the connection.
    private func setProperties(title: String) {
        let raw = connection.raw
        let replace = UInt8(XCB_PROP_MODE_REPLACE.rawValue)
        let titleBytes = Array(title.utf8)
        for property in [xcb_atom_t(XCB_ATOM_WM_NAME.rawValue), atoms.netWMName] {
            omote_xcb_change_property(
                raw, replace, window, property, atoms.utf8String, 8, UInt32(titleBytes.count), titleBytes)
        }
        // Instance and class name, each NUL-terminated.
        let windowClass = Array("omote\0Omote\0".utf8)
        omote_xcb_change_property(
            raw, replace, window, xcb_atom_t(XCB_ATOM_WM_CLASS.rawValue), xcb_atom_t(XCB_ATOM_STRING.rawValue), 8,
            UInt32(windowClass.count), windowClass)
        let protocols: [xcb_atom_t] = [atoms.wmDeleteWindow]
        omote_xcb_change_property(
            raw, replace, window, atoms.wmProtocols, xcb_atom_t(XCB_ATOM_ATOM.rawValue), 32, 1, protocols)
    }

    /// Handles events until the first Expose (size changes on the way are kept), or until `seconds` pass: a window
    /// manager may take its time, and the first `present` does not need to wait for it.
    private func waitUntilExposed(seconds: Int) {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var descriptor = pollfd(fd: connectionDescriptor, events: Int16(POLLIN), revents: 0)
        while ContinuousClock.now < deadline {
            while let event = nextEvent() {
                if event == .exposed || event == .quit { return }
            }
            let remaining = deadline - ContinuousClock.now
            let milliseconds = max(
                1, Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)
            )
            _ = poll(&descriptor, 1, milliseconds)
        }
    }
}
