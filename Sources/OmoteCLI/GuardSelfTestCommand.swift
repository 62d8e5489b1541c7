import ArgumentParser
import CGuardSelfTest
import CPrivacyShim
import Omote
import OmoteCore
import OmotePrivacy

#if canImport(Glibc)
import Glibc
#endif

/// Hidden self-test of the privacy guard (run by OmotePrivacyTests in a child process, and by anyone who wants to see
/// the guard refuse): engages the guard, then attempts each forbidden act from the main thread and from a thread
/// started after engaging, and prints one line per attempt with the errno the kernel returned. Acts the guard answers
/// by killing the process are each attempted in a child forked before engaging (which engages, attempts and must die
/// of SIGSYS).
///
/// This is the only place in Sources/ that deliberately performs writes and opens sockets, and it is test code: before
/// engaging it creates one file (`existing`) inside the EMPTY scratch directory given on the command line, a TCP
/// listener, unconnected and connected sockets on 127.0.0.1, a unix socket pair with a descriptor in flight, and a
/// write descriptor on `existing` — stand-ins for what a parent could hand Omote — so that the attempts after engaging
/// have something to act on. No frame or expression data exists in this command.
struct GuardSelfTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard-selftest",
        abstract: "Engage the privacy guard, then try every forbidden act and report the kernel's answer.",
        shouldDisplay: false
    )

    @Option(
        help:
            "An existing, empty scratch directory (e.g. from mktemp -d). The only place the self-test writes, before engaging."
    )
    var scratch: String

    @Option(help: "A file that must stay readable under the guard (repeatable).")
    var read: [String] = []

    @Option(help: "A character device to allow as the camera node (e.g. /dev/null as a stand-in).")
    var camera: String?

    @Option(
        help:
            "A descriptor the parent left open (repeatable): after engaging, writing, mapping or truncating it must fail."
    )
    var inherited: [Int32] = []

    @Option(
        help:
            "An X display (e.g. :5): open a small window before engaging and keep its connection, as the window view's presenter does."
    )
    var display: String?

    @Flag(help: "Keep going when private memory cannot be locked out of swap (the status line then warns).")
    var allowSwappableMemory = false

    @Flag(help: "Start a thread before engaging, to show the guard refuses (fails closed) in a multi-threaded process.")
    var threadBeforeEngaging = false

    @Flag(
        help:
            "Only this: after engaging, the process and its sensor process write a random marker into their argument and environment area, then hold still for /proc to be polled."
    )
    var publishMarker = false

    @Option(help: "How long --publish-marker holds still, in milliseconds.")
    var holdMilliseconds = 1500

    @Flag(help: "Only print the arguments, environment and process name this process runs with (nothing is engaged).")
    var reportStartup = false

    func run() throws {
        if reportStartup { return StartupReport.print() }
        if publishMarker { return try Self.report(ArgumentAreaAttempts.run(holdMilliseconds: holdMilliseconds)) }
        if allowSwappableMemory { PrivateMemory.allowSwappableMemory() }
        let fixture = try SelfTestFixture(scratch: scratch)
        // Before engaging (one thread): each act the filter kills, in its own forked child.
        let fatal = threadBeforeEngaging ? [] : FatalAttempts.run(camera: camera)
        // Before engaging: a sensor process (of every mode) reaches neither the terminal nor 0–2.
        let sensor = threadBeforeEngaging ? [] : SensorAttempts.run()
        if threadBeforeEngaging {
            var thread = pthread_t()
            _ = pthread_create(
                &thread, nil,
                { _ in
                    pause()
                    return nil
                }, nil)
        }
        let sealable = omote_mseal(nil, 0) == 0
        var window: X11Window?
        if let display {
            do { window = try GuardAttempts.openWindow(display: display) } catch {
                print("guard-selftest: \(error)")
                throw ExitCode(2)
            }
        }
        let status: PrivacyGuardStatus
        do {
            status = try PrivacyGuard.engage(cameraDevice: camera, displayConnection: window?.connectionDescriptor)
        } catch {
            print("guard-selftest: \(error)")
            throw ExitCode(2)
        }
        print(status.summary)
        print("landlock-abi\t\(status.landlock.abi)")

        var results = GuardAttempts.run(fixture: fixture, camera: camera, inherited: inherited, scope: "main")
        results += GuardAttempts.runOnNewThread(fixture: fixture, camera: camera, inherited: inherited)
        results += fatal

        results += sensor
        results.append(GuardAttempts.privateMemoryCheck(allowSwappable: allowSwappableMemory))
        for path in read { results.append(GuardAttempts.readCheck(path)) }
        results += GuardAttempts.stateChecks(sealable: sealable, displayConnection: window?.connectionDescriptor)
        results += GuardAttempts.decoderChecks()
        if let window { results += GuardAttempts.windowChecks(window) }
        results.append(fixture.leftBehindCheck())
        // Last: after narrowing nothing may open a file.
        results += GuardAttempts.steadyStateChecks(fixture: fixture)
        try Self.report(results)
    }

    /// One line per attempt, then the count; exit status 1 when any failed.
    static func report(_ results: [AttemptResult]) throws {
        var failures = 0
        for result in results {
            print(result.line)
            if !result.passed { failures += 1 }
        }
        print("guard-selftest: \(results.count - failures) of \(results.count) checks passed")
        if failures > 0 { throw ExitCode(1) }
    }
}

/// The objects the attempts act on, created before the guard engages.
struct SelfTestFixture: @unchecked Sendable {
    static let existingContents = "omote guard self-test: this file must survive unchanged\n"
    let scratch: String
    let existing: String
    let listenerDescriptor: Int32
    let listenerPort: UInt16
    let tcpClientDescriptor: Int32
    let udpDescriptor: Int32
    /// Stand-ins for descriptors a parent hands over: a write descriptor on `existing`, a UDP socket connected to a
    /// local receiver, and one end of a unix socket pair whose other end has sent a descriptor (SCM_RIGHTS).
    let writableFile: Int32
    let connectedUDP: Int32
    let unixEnd: Int32

    init(scratch: String) throws {
        var info = stat()
        guard stat(scratch, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw ValidationError("--scratch \(scratch) is not an existing directory")
        }
        guard Self.entries(of: scratch) == [] else {
            throw ValidationError("--scratch \(scratch) must be empty (the self-test writes nowhere else)")
        }
        self.scratch = scratch
        existing = scratch + "/existing"
        // Self-test fixture (before engaging): the file the attempts try to overwrite, truncate, rename, link, remove.
        let descriptor = open(existing, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ValidationError("cannot create \(existing): errno \(errno)") }
        let written = Self.existingContents.utf8CString.withUnsafeBytes {
            write(descriptor, $0.baseAddress, $0.count - 1)
        }
        close(descriptor)
        guard written == Self.existingContents.utf8.count else { throw ValidationError("cannot write \(existing)") }

        // Self-test fixture (before engaging): a listener on 127.0.0.1 and unconnected sockets to try after engaging.
        let listener = socket(
            AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        tcpClientDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        udpDescriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        listenerDescriptor = listener
        guard listener >= 0, tcpClientDescriptor >= 0, udpDescriptor >= 0 else {
            throw ValidationError("cannot create the self-test's sockets: errno \(errno)")
        }
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            bind(listener, UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self), length)
        }
        guard bound == 0, listen(listener, 4) == 0 else {
            throw ValidationError("cannot listen on 127.0.0.1: errno \(errno)")
        }
        let named = withUnsafeMutablePointer(to: &address) {
            getsockname(listener, UnsafeMutableRawPointer($0).assumingMemoryBound(to: sockaddr.self), &length)
        }
        guard named == 0 else { throw ValidationError("getsockname failed: errno \(errno)") }
        listenerPort = UInt16(bigEndian: address.sin_port)

        // Self-test fixture (before engaging): descriptors like the ones a parent could leave open.
        let writable = open(existing, O_WRONLY | O_APPEND | O_CLOEXEC)
        let receiver = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        let sender = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var receiverAddress = Self.loopback(port: 0)
        var receiverLength = socklen_t(MemoryLayout<sockaddr_in>.size)
        let receiverBound = withUnsafeMutablePointer(to: &receiverAddress) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(receiver, $0, receiverLength) == 0 && getsockname(receiver, $0, &receiverLength) == 0
            }
        }
        let udpConnected =
            receiverBound
            && withUnsafePointer(to: &receiverAddress) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(sender, $0, receiverLength) == 0 }
            }
        var pair: [Int32] = [-1, -1]
        let paired = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0
        guard writable >= 0, udpConnected, paired, omote_selftest_send_descriptor(pair[1], writable) > 0 else {
            throw ValidationError("cannot create the self-test's inherited-descriptor stand-ins: errno \(errno)")
        }
        writableFile = writable
        connectedUDP = sender
        unixEnd = pair[0]
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    static func entries(of directory: String) -> [String]? {
        guard let handle = opendir(directory) else { return nil }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Nothing new in the scratch directory and `existing` unchanged.
    func leftBehindCheck() -> AttemptResult {
        let names = Self.entries(of: scratch) ?? ["<unreadable>"]
        var contents = [UInt8](repeating: 0, count: 256)
        let descriptor = open(existing, O_RDONLY | O_CLOEXEC)
        let count =
            descriptor >= 0 ? contents.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) } : -1
        if descriptor >= 0 { close(descriptor) }
        let unchanged =
            count >= 0 && String(decoding: contents[0 ..< max(count, 0)], as: UTF8.self) == Self.existingContents
        let outcome =
            names == ["existing"] && unchanged
            ? "ok" : "left:\(names.joined(separator: ","))\(unchanged ? "" : ",existing-modified")"
        return AttemptResult(scope: "after", act: "nothing-left-behind", outcome: outcome, expected: "ok")
    }
}
