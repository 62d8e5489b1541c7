// Times AvatarRenderer at 960×720 on one core: the synthetic VRoid-size avatar (about 40k triangles, six 1024×1024
// textures, MToon with outlines, cut-out, blended) and the built-in avatar, the head turning and nodding from frame
// to frame. Usage: RenderTiming [frames=300] [width=960] [height=720] [ppm-prefix]. Prints p50/p90/min ms per model;
// with a prefix, also writes each model's last frame as <prefix>-<model>.ppm (to look at). RENDER_MODEL=synthetic-vroid
// or built-in times only that model (for a profiler).
import Foundation
import Omote

let arguments = CommandLine.arguments
let frames = arguments.count > 1 ? Int(arguments[1]) ?? 300 : 300
let width = arguments.count > 2 ? Int(arguments[2]) ?? 960 : 960
let height = arguments.count > 3 ? Int(arguments[3]) ?? 720 : 720
let picturePrefix = arguments.count > 4 ? arguments[4] : nil

func writePPM(_ renderer: AvatarRenderer, to path: String) {
    var bytes = Array("P6\n\(renderer.width) \(renderer.height)\n255\n".utf8)
    for pixel in renderer.pixels {
        bytes += [UInt8(pixel >> 16 & 0xFF), UInt8(pixel >> 8 & 0xFF), UInt8(pixel & 0xFF)]
    }
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
}

print("model\ttriangles\tframes\tpixels\tp50_ms\tp90_ms\tmin_ms")
for (label, model) in [
    ("synthetic-vroid", RigModel.syntheticVRoidSize()), ("built-in", RigModel.defaultAvatar()),
] where ProcessInfo.processInfo.environment["RENDER_MODEL"].map({ $0 == label }) ?? true {
    let renderer = try AvatarRenderer(model: model, width: width, height: height)
    let state = try RigState(model: model)
    var samples: [Double] = []
    samples.reserveCapacity(frames)
    for frame in 0 ..< frames + 20 {
        // Turn ±25° and nod ±12° over a couple of seconds' worth of frames.
        let phase = Float(frame) * 0.05
        let rotation = Rotation3(rotationVector: SIMD3(0.2 * sinf(phase * 0.7), 0.45 * sinf(phase), 0))
        state.apply(weights: BlendshapeWeights(), headPose: HeadPose(rotation: rotation))
        try renderer.render(state)
        if frame >= 20 { samples.append(Double(renderer.lastRenderNanoseconds) / 1e6) }
    }
    samples.sort()
    print(
        String(
            format: "%@\t%d\t%d\t%dx%d\t%.2f\t%.2f\t%.2f", label, model.triangleCount, frames, width, height,
            samples[samples.count / 2], samples[samples.count * 9 / 10], samples[0]))
    if let picturePrefix { writePPM(renderer, to: "\(picturePrefix)-\(label).ppm") }
}
