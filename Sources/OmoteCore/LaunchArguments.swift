import Synchronization

/// The arguments the process was started with. The CLI re-executes itself with a single empty argument (the privacy
/// guard's `ArgumentArea`) and hands the real ones over, so `CommandLine.arguments` of the running image is `[""]`;
/// code that needs argv (argv[0]'s folder, for one) asks here.
public enum LaunchArguments {
    private static let recorded = Mutex<[String]?>(nil)

    /// The arguments as the user gave them: the recorded ones, else this image's own.
    public static var all: [String] { recorded.withLock { $0 } ?? CommandLine.arguments }

    /// Records the arguments handed over from the image the user started.
    package static func record(_ arguments: [String]) { recorded.withLock { $0 = arguments } }
}
