import CMallocCounter
import Foundation
import OmoteCore
import OmoteTestSupport
import OmoteView
import Testing

/// A picture whose every pixel tells where it is: four quadrants of distinct base colours, each with a red and a
/// green gradient across it, so that a shifted, flipped, cropped or channel-swapped image cannot match.
private func pattern(width: Int, height: Int) -> [UInt32] {
    (0 ..< width * height).map { index in
        let x = index % width
        let y = index / width
        let quadrant: UInt32 = (x < width / 2 ? 0 : 1) + (y < height / 2 ? 0 : 2)
        let red = UInt32(x * 255 / max(1, width - 1))
        let green = UInt32(y * 255 / max(1, height - 1))
        let blue: UInt32 = [0x20, 0x60, 0xa0, 0xe0][Int(quadrant)]
        return 0xff00_0000 | red << 16 | green << 8 | blue
    }
}

/// The first event within `seconds`, polling (never sleeping more than a millisecond at a time).
private func nextEvent(of window: X11Window, within seconds: Double = 2) -> WindowEvent? {
    let deadline = Date().addingTimeInterval(seconds)
    repeat {
        if let event = window.nextEvent() { return event }
        usleep(1000)
    } while Date() < deadline
    return nil
}

/// Events within `seconds` until one satisfies `wanted` (returned), skipping others (e.g. Expose after a resize).
private func event(
    of window: X11Window, within seconds: Double = 2, where wanted: (WindowEvent) -> Bool
) -> WindowEvent? {
    let deadline = Date().addingTimeInterval(seconds)
    repeat {
        if let event = window.nextEvent() {
            if wanted(event) { return event }
        } else {
            usleep(1000)
        }
    } while Date() < deadline
    return nil
}

/// Where two pictures differ first (RGB only), for a failure message that points at the pixel.
private func firstRGBMismatch(_ actual: [UInt32], _ expected: [UInt32], width: Int) -> String? {
    guard actual.count == expected.count else { return "\(actual.count) pixels, expected \(expected.count)" }
    guard let index = actual.indices.first(where: { actual[$0] & 0xffffff != expected[$0] & 0xffffff }) else {
        return nil
    }
    let shown = String(actual[index], radix: 16)
    let wanted = String(expected[index], radix: 16)
    return "pixel (\(index % width), \(index / width)) is \(shown), expected \(wanted)"
}

@Suite("X11Window under Xvfb")
struct X11WindowTests {
    @Test("a presented pattern reads back exactly, in one request and in strips")
    func presentReadsBack() throws {
        let display = try VirtualDisplay()
        defer { display.stop() }
        let window = try X11Window(display: display.name, title: "Omote — test", width: 320, height: 240)
        defer { window.close() }
        #expect(window.width == 320 && window.height == 240)
        #expect(!window.hasAlpha)
        #expect(window.connectionDescriptor >= 0)
        #expect(window.displayName == display.name)

        let pixels = pattern(width: 320, height: 240)
        try pixels.withUnsafeBufferPointer { try window.present($0, width: 320, height: 240) }
        let shown = try window.readBack()
        #expect(firstRGBMismatch(shown, pixels, width: 320) == nil)
        #expect(shown.allSatisfy { $0 >> 24 == 0xff })

        // 1280×1000 at 4 bytes is 5 MB: over a 4 MB BIG-REQUESTS limit (Xvfb's default maximum is 16 MB, so
        // this also runs as one request there); a second, different picture so that the first cannot pass for it.
        let large = try X11Window(display: display.name, title: "Omote — large", width: 1280, height: 1000)
        defer { large.close() }
        let largePixels = pattern(width: 1280, height: 1000).map { $0 ^ 0x00ff_ffff }
        try largePixels.withUnsafeBufferPointer { try large.present($0, width: 1280, height: 1000) }
        #expect(firstRGBMismatch(try large.readBack(), largePixels, width: 1280) == nil)
        #expect(large.lastServerError == nil)
    }

    @Test("the title is set as UTF-8 in WM_NAME and _NET_WM_NAME, with the class and WM_DELETE_WINDOW")
    func titleAndProtocols() throws {
        let display = try VirtualDisplay()
        defer { display.stop() }
        let window = try X11Window(display: display.name, title: "Omote — test", width: 200, height: 100)
        defer { window.close() }
        let client = try X11TestClient(display: display.name)
        #expect(try client.text(of: window.windowID, property: "WM_NAME") == "Omote — test")
        #expect(try client.text(of: window.windowID, property: "_NET_WM_NAME") == "Omote — test")
        #expect(try client.text(of: window.windowID, property: "WM_CLASS") == "omote\0Omote\0")
        let protocols = try client.bytes(of: window.windowID, property: "WM_PROTOCOLS")
        let deleteWindow = try client.atom("WM_DELETE_WINDOW")
        #expect(protocols == withUnsafeBytes(of: deleteWindow.littleEndian) { Array($0) })
    }

    @Test("a resize by the window manager is reported once, and the new size presents and reads back")
    func resize() throws {
        let display = try VirtualDisplay()
        defer { display.stop() }
        let window = try X11Window(display: display.name, title: "Omote — test", width: 320, height: 240)
        defer { window.close() }
        let client = try X11TestClient(display: display.name)
        client.resize(window.windowID, width: 640, height: 480)
        let resized = event(of: window) { if case .resized = $0 { true } else { false } }
        #expect(resized == .resized(width: 640, height: 480))
        #expect(window.width == 640 && window.height == 480)
        // Growing exposes the new area: the window asks to be drawn again.
        #expect(event(of: window) { $0 == .exposed } == .exposed)

        let pixels = pattern(width: 640, height: 480)
        try pixels.withUnsafeBufferPointer { try window.present($0, width: 640, height: 480) }
        #expect(firstRGBMismatch(try window.readBack(), pixels, width: 640) == nil)
        // A move without a size change is not a resize.
        client.resize(window.windowID, width: 640, height: 480)
        #expect(nextEvent(of: window, within: 0.3) == nil)
    }

    @Test("the close button, q, Q, Escape and Ctrl-C quit; other keys arrive as ASCII")
    func closeAndKeys() throws {
        let display = try VirtualDisplay()
        defer { display.stop() }
        let window = try X11Window(display: display.name, title: "Omote — test", width: 200, height: 100)
        defer { window.close() }
        let client = try X11TestClient(display: display.name)

        try client.requestClose(window.windowID)
        #expect(nextEvent(of: window) == .quit)

        let shift: UInt16 = 1
        let control: UInt16 = 4
        let presses: [(keysym: UInt32, state: UInt16, expected: WindowEvent)] = [
            (0x71, 0, .quit),  // q
            (0x71, shift, .quit),  // Q
            (0xff1b, 0, .quit),  // Escape
            (0x63, control, .quit),  // Ctrl-C
            (0x68, 0, .key(104)),  // h
            (0x72, 0, .key(UInt8(ascii: "r"))),
            (0x68, shift, .key(UInt8(ascii: "H"))),
        ]
        for press in presses {
            let keycode = try #require(
                window.keycode(forKeysym: press.keysym), "no keycode types keysym \(press.keysym)")
            client.press(keycode, state: press.state, in: window.windowID)
            #expect(nextEvent(of: window) == press.expected, "keysym 0x\(String(press.keysym, radix: 16))")
        }
        // Shift alone types nothing.
        let shiftKey = try #require(window.keycode(forKeysym: 0xffe1))
        client.press(shiftKey, in: window.windowID)
        #expect(nextEvent(of: window, within: 0.3) == nil)
    }

    @Test("a display that is not there names itself and --view terminal; so does an unset DISPLAY")
    func badDisplay() throws {
        let absent = #expect(throws: OmoteError.self) { try X11Window(display: ":987", title: "Omote — test") }
        #expect(absent?.code == .viewX11Connect)
        #expect(absent?.description.contains(":987") == true)
        #expect(absent?.description.contains("--view terminal") == true)

        let unset = #expect(throws: OmoteError.self) {
            try X11Window(
                display: nil, displayVariable: nil, title: "Omote — test", width: 100, height: 100, transparent: false)
        }
        #expect(unset?.code == .viewNoDisplay)
        #expect(unset?.description.contains("DISPLAY") == true)
        #expect(unset?.description.contains("--view terminal") == true)
    }

    @Test("transparency needs a compositor: without one the window is opaque 24-bit, with one it is ARGB")
    func transparency() throws {
        let display = try VirtualDisplay()
        defer { display.stop() }
        let plain = try X11Window(
            display: display.name, title: "Omote — test", width: 64, height: 48, transparent: true)
        defer { plain.close() }
        #expect(!plain.hasAlpha)
        let pixels = pattern(width: 64, height: 48)
        try pixels.withUnsafeBufferPointer { try plain.present($0, width: 64, height: 48) }
        #expect(firstRGBMismatch(try plain.readBack(), pixels, width: 64) == nil)

        // Xvfb offers a 32-bit ARGB visual (Composite); once someone owns _NET_WM_CM_S0 the window uses it, and the
        // alpha channel survives the round trip (premultiplied: RGB never exceeds alpha).
        let compositor = try X11TestClient(display: display.name)
        try compositor.actAsCompositor()
        let argb = try X11Window(display: display.name, title: "Omote — test", width: 64, height: 48, transparent: true)
        defer { argb.close() }
        #expect(argb.hasAlpha)
        let translucent = (0 ..< 64 * 48).map { index -> UInt32 in
            let alpha = UInt32(index % 256)
            return alpha << 24 | (alpha / 2) << 16 | (alpha / 3) << 8 | (alpha / 4)
        }
        try translucent.withUnsafeBufferPointer { try argb.present($0, width: 64, height: 48) }
        #expect(try argb.readBack() == translucent)
    }

    @Test("presenting and polling allocate nothing in steady state; a broken connection quits and throws")
    func steadyStateAndBrokenConnection() throws {
        let display = try VirtualDisplay()
        let window = try X11Window(display: display.name, title: "Omote — test", width: 320, height: 240)
        defer { window.close() }
        let pixels = pattern(width: 320, height: 240)
        try pixels.withUnsafeBufferPointer { frame in
            for _ in 0 ..< 3 {
                try window.present(frame, width: 320, height: 240)
                while window.nextEvent() != nil {}
            }
            // No #expect inside the counted loop: recording an expectation allocates.
            var events = 0
            let before = omote_thread_allocation_count()
            for _ in 0 ..< 50 {
                try window.present(frame, width: 320, height: 240)
                if window.nextEvent() != nil { events += 1 }
            }
            let allocations = omote_thread_allocation_count() - before
            #expect(allocations == 0)
            #expect(events == 0)
        }

        display.stop()
        #expect(event(of: window) { $0 == .quit } == .quit)
        let lost = #expect(throws: OmoteError.self) {
            try pixels.withUnsafeBufferPointer { try window.present($0, width: 320, height: 240) }
        }
        #expect(lost?.code == .viewX11ConnectionLost)
    }

    @Test("a frame whose size does not match its buffer is refused")
    func mismatchedFrame() throws {
        let display = try VirtualDisplay()
        defer { display.stop() }
        let window = try X11Window(display: display.name, title: "Omote — test", width: 64, height: 48)
        defer { window.close() }
        let pixels = [UInt32](repeating: 0, count: 100)
        let refused = #expect(throws: OmoteError.self) {
            try pixels.withUnsafeBufferPointer { try window.present($0, width: 64, height: 48) }
        }
        #expect(refused?.code == .viewX11Frame)
    }
}
