import ArgumentParser
import Omote

/// Lists every /dev/video* node with what `omote live` needs to know about it. Finding no camera is not an error
/// (exit 0 with a message): the command answered the question. Docs/camera.md explains the output.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List V4L2 capture devices with their formats, sizes and frame rates.",
        discussion:
            "Every /dev/video* node is listed: card, driver, bus, capabilities and, for capture nodes, each pixel format with its frame sizes and rates. Metadata-only nodes (every UVC camera has one) are marked. Exits 0 even when there is no camera."
    )

    @Argument(help: ArgumentHelp("Only this node (e.g. /dev/video0).", valueName: "device"))
    var device: String?

    func run() throws {
        let devices = device.map { [V4L2DeviceInfo.inspect($0)] } ?? V4L2DeviceInfo.enumerate()
        guard !devices.isEmpty else {
            print("No V4L2 video devices: /dev/video* does not exist on this machine.")
            print(
                "Plug in a UVC webcam (and check `dmesg` for uvcvideo); in a VM or container, pass the camera through.")
            print("Without a camera, `omote replay` plays the SampleFrames clips.")
            return
        }
        for (index, info) in devices.enumerated() {
            if index > 0 { print("") }
            print(info.report)
        }
        let cameras = devices.filter { $0.isCamera && $0.problem == nil }
        print("")
        if let first = cameras.first {
            print("\(cameras.count) capture device(s). `omote live` uses \(first.path) unless you pass --device.")
        } else {
            print("No usable capture device among these nodes (see the notes above).")
        }
    }
}
