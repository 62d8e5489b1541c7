// The live path for `Benchmarks/soak.sh`: the V4L2 camera code over the scripted kernel stand-in (no camera on CI or
// this project's machines), through the real pipeline runner, mesh tracker and rig, under the privacy guard, paced
// like a 30 fps webcam and misbehaving as webcams do: damaged MJPEG frames, errored buffers, stalls, and an unplug
// every few minutes, after which a new camera is opened (as a new session generation would). It prints one line per
// generation and runs until the time is up; soak.sh samples its memory, descriptors and threads from outside.
//
// Usage: omote-soak-live [--minutes M=60] [--fps F=30] [--generation-minutes G=5]
// Frames are SampleFrames JPEGs held in memory; nothing is written anywhere.
import Foundation
import OmoteCapture
import OmoteCore
import OmotePipeline
import OmotePrivacy
import OmoteTestSupport
import SystemPackage

struct Options {
    var minutes = 60.0
    var framesPerSecond = 30.0
    var generationMinutes = 5.0

    init(_ arguments: [String]) {
        var index = 0
        while index + 1 < arguments.count {
            let value = Double(arguments[index + 1]) ?? 0
            switch arguments[index] {
            case "--minutes": minutes = value
            case "--fps": framesPerSecond = value
            case "--generation-minutes": generationMinutes = value
            default: fail("unknown option \(arguments[index]); usage: --minutes M --fps F --generation-minutes G")
            }
            index += 2
        }
        guard minutes > 0, framesPerSecond > 0, generationMinutes > 0 else { fail("options must be positive") }
    }
}

func say(_ line: String) { FileHandle.standardError.write(Data(("soak-live: " + line + "\n").utf8)) }

func fail(_ line: String) -> Never {
    say(line)
    exit(1)
}

/// The fake kernel, paced like a real camera and scripted from the processing thread (the only one that touches it
/// once streaming starts): a stall every `stallEvery` polls, and an unplug once the generation's time is up.
final class PacedCamera: V4L2Driver {
    let kernel: FakeV4L2Driver
    let period: UInt64
    let unplugAtNanoseconds: UInt64
    let stallEvery = 900
    private var nextFrame: UInt64 = 0
    private var polls = 0

    init(kernel: FakeV4L2Driver, framesPerSecond: Double, unplugAtNanoseconds: UInt64) {
        self.kernel = kernel
        self.period = UInt64(1e9 / framesPerSecond)
        self.unplugAtNanoseconds = unplugAtNanoseconds
    }

    func deviceNodes() -> [String] { kernel.deviceNodes() }
    func open(_ path: String, emulateFormats: Bool) throws(Errno) -> DeviceDescriptor {
        try kernel.open(path, emulateFormats: emulateFormats)
    }
    func ioctl(_ descriptor: DeviceDescriptor, _ request: V4L2Request, _ argument: UnsafeMutableRawPointer)
        throws(Errno)
    {
        try kernel.ioctl(descriptor, request, argument)
    }
    func mmap(_ descriptor: DeviceDescriptor, length: Int, offset: Int) throws(Errno) -> UnsafeMutableRawPointer {
        try kernel.mmap(descriptor, length: length, offset: offset)
    }
    func munmap(_ address: UnsafeMutableRawPointer, length: Int) { kernel.munmap(address, length: length) }
    func close(_ descriptor: DeviceDescriptor) { kernel.close(descriptor) }

    func poll(_ descriptor: DeviceDescriptor, timeoutMilliseconds: Int32) throws(Errno) -> PollEvents {
        polls += 1
        let now = MonotonicClock.nanoseconds()
        if now >= unplugAtNanoseconds {
            kernel.pollScript = [.unplug]
        } else if polls % stallEvery == 0 {
            kernel.pollScript = [.timeout]
        }
        if nextFrame == 0 { nextFrame = now }
        nextFrame += period
        MonotonicClock.sleep(untilNanoseconds: nextFrame)
        return try kernel.poll(descriptor, timeoutMilliseconds: timeoutMilliseconds)
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))

// Everything read from disk is read before the guard engages.
let clipFrames: [[UInt8]] = ["single_face", "face_noface"].flatMap { clip -> [[UInt8]] in
    let folder = TestPaths.sampleFrames + "/" + clip
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".jpg") }
    return names.sorted().compactMap { FileManager.default.contents(atPath: folder + "/" + $0).map(Array.init) }
}
guard clipFrames.count > 100 else { fail("SampleFrames not found at \(TestPaths.sampleFrames)") }
var damageMaker = DamagedFrames(seed: 2026)
let damaged = damageMaker.make(500, from: clipFrames).map(\.bytes)
let damageEvery: UInt32 = 47
let errorEvery: UInt32 = 61

// The cameras made below decode in this process: libturbojpeg must be loaded before the guard forbids mapping it.
do { try JPEGDecoder.loadLibrary() } catch { fail("\(error)") }
let guardStatus: PrivacyGuardStatus
do { guardStatus = try PrivacyGuard.engage(cameraDevice: nil) } catch { fail("\(error)") }
say(guardStatus.summary)
let pipeline: any FrameProcessor
do { pipeline = try MeshFacePipeline.load(PipelineConfiguration(), progress: say) } catch { fail("\(error)") }

let started = MonotonicClock.nanoseconds()
let deadline = started + UInt64(options.minutes * 60e9)
var generation = 0
var totalFrames = 0
while MonotonicClock.nanoseconds() < deadline {
    generation += 1
    let generationEnd = min(deadline, MonotonicClock.nanoseconds() + UInt64(options.generationMinutes * 60e9))
    let kernel = FakeV4L2Driver(payload: { sequence, _, _ in
        sequence % damageEvery == damageEvery - 1
            ? damaged[Int(sequence / damageEvery) % damaged.count]
            : clipFrames[Int(sequence) % clipFrames.count]
    })
    kernel.recordsCalls = false
    let framesThisGeneration = UInt32(options.generationMinutes * 60 * options.framesPerSecond) + 1000
    kernel.erroredSequences = Set(stride(from: errorEvery - 1, to: framesThisGeneration, by: Int(errorEvery)))
    let driver = PacedCamera(
        kernel: kernel, framesPerSecond: options.framesPerSecond, unplugAtNanoseconds: generationEnd)
    do {
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
        pipeline.reset()
        let runner = try PipelineRunner(source: camera, processor: pipeline, engagement: guardStatus.engagement)
        runner.start(frameCapacity: camera.maximumFramePixels)
        while !runner.isFinished {
            MonotonicClock.sleep(untilNanoseconds: MonotonicClock.nanoseconds() + 200_000_000)
        }
        camera.stop()
        let model = runner.latest.read().value
        totalFrames += model.framesProcessed
        let stats = camera.stats
        say(
            "generation \(generation): \(model.framesProcessed) frames, \(stats.dropped) dropped, \(stats.corrupt) corrupt"
                + " (first: \(stats.firstDamage?.description ?? "none")); ended: \(runner.failureDescription ?? "source ended")"
                + "; all released: \(kernel.everythingReleased)")
        guard kernel.everythingReleased else { fail("generation \(generation) left the camera's buffers mapped") }
    } catch {
        fail("generation \(generation): \(error)")
    }
}
say("done: \(generation) generations, \(totalFrames) frames in \(Int(options.minutes * 60)) s")
