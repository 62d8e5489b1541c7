import ArgumentParser
import Foundation
import Omote
import OmoteCore

extension BenchCommand {
    /// The window view's render stage, offscreen (no display needed): the clips' frames through the tracker once,
    /// and each frame's rig rendered at `width`×`height` — the session's avatar (built-in or --avatar) and a
    /// VRoid-size stand-in (tens of thousands of triangles, several 1024² textures, MToon and cut-out materials)
    /// driven by the same weights and head pose. Only the render is timed.
    func reportRender(
        _ configuration: PipelineConfiguration, sources: [ReplaySource], width: Int, height: Int
    ) throws {
        let pipeline = try MeshFacePipeline.load(configuration, progress: { _ in })
        let avatar = pipeline.rigModel ?? RigModel.defaultAvatar()
        let large = RigModel.syntheticVRoidSize()
        let subjects = [("avatar: \(avatar.name)", avatar), ("VRoid-size: \(large.name)", large)]
        let states = try subjects.map { try RigState(model: $0.1) }
        let renderers = try subjects.map { try AvatarRenderer(model: $0.1, width: width, height: height) }
        var times = [[UInt64]](repeating: [], count: subjects.count)
        var frame = try VideoFrame()
        var result = FaceFrameResult()
        var unused: RigState? = nil
        for source in sources {
            source.rewind()
            pipeline.reset()
            while let delivery = try source.next(into: &frame) {
                pipeline.process(frame, delivery: delivery, into: &result, rig: &unused)
                for index in subjects.indices {
                    states[index].apply(weights: result.weights, headPose: result.headPose)
                    let started = MonotonicClock.nanoseconds()
                    try renderers[index].render(states[index])
                    times[index].append(MonotonicClock.nanoseconds() - started)
                }
            }
        }
        print("")
        print(
            "render (window view, offscreen): \(width)×\(height), one thread, \(times.first?.count ?? 0) frames of "
                + "the clips' weights and head pose")
        print(
            pad("model", 46) + pad("triangles", 11, right: true) + pad("textures", 10, right: true)
                + pad("p50 ms", 9, right: true) + pad("p90 ms", 9, right: true) + pad("p99 ms", 9, right: true))
        for (index, (label, model)) in subjects.enumerated() {
            let sorted = times[index].sorted()
            func q(_ p: Double) -> String {
                String(
                    format: "%.2f",
                    sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]) / 1e6)
            }
            print(
                pad(label, 46) + pad("\(model.triangleCount)", 11, right: true)
                    + pad("\(model.textures.count)", 10, right: true) + pad(q(0.5), 9, right: true)
                    + pad(q(0.9), 9, right: true) + pad(q(0.99), 9, right: true))
        }
    }
}
