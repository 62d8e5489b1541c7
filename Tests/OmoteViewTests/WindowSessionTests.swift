import Foundation
import OmoteCore
import OmoteTestSupport
import OmoteView
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("omote replay --view window under Xvfb", .serialized)
struct WindowSessionTests {
    static let background: UInt32 = 0x00FF00

    /// Starts a looping replay in a window, waits until the avatar is drawn and moving, then ends it with `end`.
    private func session(ending end: (WindowSession, X11TestClient, UInt32) throws -> Void) throws -> (
        WindowSession, exitSeconds: Double?
    ) {
        let display = try VirtualDisplay()
        defer { display.stop() }
        let session = try WindowSession(
            display: display.name, arguments: ["replay", "single_face", "--view", "window", "--loop"])
        let client = try X11TestClient(display: display.name)
        let found = session.window(on: client)
        guard let window = found else {
            Issue.record("no Omote window appeared:\n\(session.exit(within: 5) == nil ? "" : session.transcript)")
            return (session, nil)
        }
        #expect(try client.text(of: window, property: "_NET_WM_NAME") == "Omote — single_face")
        let size = try client.size(of: window)
        #expect(size.width >= 640 && size.height >= 480, "window is \(size.width)×\(size.height)")
        // The avatar is drawn (a good part of the window is not the key colour) and moves with the face.
        var first = try client.pixels(of: window).pixels
        let deadline = Date().addingTimeInterval(60)
        while first.count(where: { $0 != Self.background }) < first.count / 50 && Date() < deadline {
            usleep(50_000)
            first = try client.pixels(of: window).pixels
        }
        let covered = first.count { $0 != Self.background }
        #expect(covered >= first.count / 50, "only \(covered) of \(first.count) pixels are not the background")
        var moved = 0
        while moved < 200 && Date() < deadline {
            usleep(100_000)
            moved = differingPixels(first, try client.pixels(of: window).pixels)
        }
        #expect(moved >= 200, "the avatar did not move: \(moved) pixels changed")
        try end(session, client, window)
        return (session, session.exit(within: 5))
    }

    @Test("q in the window quits within a second")
    func quitKey() throws {
        let (session, seconds) = try session { _, client, window in
            let q = try #require(try client.keycode(forKeysym: 0x71))
            client.press(q, in: window)
        }
        let exited = try #require(seconds, "still running after q:\n\(session.transcript)")
        #expect(exited < 1, "took \(exited) s")
        #expect(session.process.terminationStatus == 0, "\(session.transcript)")
        #expect(session.transcript.contains("writes only the terminal and the X window's connection"))
    }

    @Test("Escape quits within a second")
    func escapeKey() throws {
        let (session, seconds) = try session { _, client, window in
            let escape = try #require(try client.keycode(forKeysym: 0xFF1B))
            client.press(escape, in: window)
        }
        let exited = try #require(seconds, "still running after Escape:\n\(session.transcript)")
        #expect(exited < 1, "took \(exited) s")
        #expect(session.process.terminationStatus == 0, "\(session.transcript)")
    }

    @Test("the window's close button (WM_DELETE_WINDOW) quits within a second")
    func closeButton() throws {
        let (session, seconds) = try session { _, client, window in try client.requestClose(window) }
        let exited = try #require(seconds, "still running after the close request:\n\(session.transcript)")
        #expect(exited < 1, "took \(exited) s")
        #expect(session.process.terminationStatus == 0, "\(session.transcript)")
    }

    @Test("SIGTERM quits cleanly within a second")
    func terminate() throws {
        let (session, seconds) = try session { session, _, _ in kill(session.process.processIdentifier, SIGTERM) }
        let exited = try #require(seconds, "still running after SIGTERM:\n\(session.transcript)")
        #expect(exited < 1, "took \(exited) s")
        #expect(session.process.terminationStatus == 0, "\(session.transcript)")
        #expect(!session.transcript.contains("stopped:"), "\(session.transcript)")
    }

    @Test("resizing the window redraws the avatar at the new size")
    func resize() throws {
        let (session, seconds) = try session { _, client, window in
            client.resize(window, width: 800, height: 600)
            var size = try client.size(of: window)
            let deadline = Date().addingTimeInterval(10)
            while (size.width, size.height) != (800, 600) && Date() < deadline {
                usleep(20_000)
                size = try client.size(of: window)
            }
            #expect(size.width == 800 && size.height == 600)
            // Redrawn across the new size (the server clears a resized window): the avatar in the middle, the key
            // colour in the corners.
            func redrawn(_ picture: (pixels: [UInt32], width: Int, height: Int)) -> Bool {
                picture.pixels[picture.height / 2 * picture.width + picture.width / 2] != Self.background
                    && [0, picture.width - 1, picture.pixels.count - picture.width, picture.pixels.count - 1].allSatisfy
                    {
                        picture.pixels[$0] == Self.background
                    }
            }
            var picture = try client.pixels(of: window)
            while !redrawn(picture) && Date() < deadline {
                usleep(50_000)
                picture = try client.pixels(of: window)
            }
            #expect(picture.width == 800 && picture.height == 600)
            #expect(redrawn(picture), "not redrawn at 800×600")
            try client.requestClose(window)
        }
        #expect(seconds != nil, "\(session.transcript)")
    }

    @Test("without DISPLAY, --view window fails at once and names --view terminal")
    func noDisplay() throws {
        let session = try WindowSession(display: nil, arguments: ["replay", "single_face", "--view", "window"])
        let seconds = session.exit(within: 60)
        #expect(seconds != nil)
        #expect(session.process.terminationStatus != 0)
        let transcript = session.transcript
        #expect(transcript.contains("DISPLAY"), "\(transcript)")
        #expect(transcript.contains("--view terminal"), "\(transcript)")
    }

    @Test("a display that does not exist is named in the error")
    func badDisplay() throws {
        let session = try WindowSession(display: ":97", arguments: ["replay", "single_face", "--view", "window"])
        #expect(session.exit(within: 60) != nil)
        #expect(session.process.terminationStatus != 0)
        #expect(session.transcript.contains(":97"), "\(session.transcript)")
    }
}
