import OmoteCapture
import OmoteCore

/// The two sources a sensor runs: the replay's clips and a camera generation's V4L2 node. Each returns the sensor's
/// exit code (for a camera, the one `CameraGenerations` expects of a generation).
extension SensorProcess {
    /// Replay: load the JPEG decoder library, engage, load the tracker (not the rig: the presenter drives it), play
    /// the clips, report. A headless replay sends `.timingsOnly` frames and a summary of each clip's pass
    /// (`perClipSummaries`).
    public static func replay(
        ends: Ends, clipPaths: [String], pacing: ReplaySource.Pacing, loop: Bool,
        configuration: PipelineConfiguration, content: RecordContent = .expression, perClipSummaries: Bool = false
    ) -> Int32 {
        guard let writer = try? SensorRecordWriter(descriptor: ends.records) else { return 1 }
        // Here, in the sensor, before its guard: the presenter never maps libturbojpeg.
        do { try JPEGDecoder.loadLibrary() } catch {
            writer.send(.ended(.failure, "\(error)"))
            return 1
        }
        guard let engagement = engage(ends, cameraDevice: nil, writer: writer) else { return 2 }
        do throws(OmoteError) {
            let pipeline = try MeshFacePipeline.load(configuration, rig: false, progress: { _ in })
            var clips: [ReplaySource] = []
            for path in clipPaths { clips.append(try ReplaySource(clipDirectory: path, pacing: pacing)) }
            let playlist = ReplayPlaylist(clips: clips, loop: loop)
            let passes = try perClipSummaries ? SensorPassSummaries(descriptor: ends.records) : nil
            if let passes { playlist.passEnded = { passes.passEnded(index: $0, stats: $1) } }
            let runner = try serve(
                source: playlist, processor: pipeline, ends: ends, writer: writer, engagement: engagement,
                content: content, passes: passes, sourceIndex: { playlist.currentIndex })
            return runner.failureDescription == nil ? 0 : 1
        } catch {
            writer.send(.ended(.failure, "\(error)"))
            return 1
        }
    }

    /// One camera generation: open the node (`openCamera` loads the JPEG decoder and camera libraries first), announce it to the
    /// launcher, engage with it (and the two pipes) as the only descriptors, load the tracker, stream, report.
    public static func camera(
        ends: Ends, options: V4L2CameraOptions, generation: CameraGenerations.Generation,
        configuration: PipelineConfiguration, content: RecordContent = .expression
    ) -> Int32 {
        guard let writer = try? SensorRecordWriter(descriptor: ends.records) else { return 1 }
        let camera: V4L2Camera
        do { camera = try generation.openCamera(options) } catch {
            // A retry right after a re-plug fails quietly: the launcher tries again.
            writer.send(.ended(.failure, generation.reportsOpenFailure ? "\(error)" : ""))
            return CameraGenerations.exitCode(openFailure: error)
        }
        let format = camera.format
        let announced = SensorRecord.CameraFormat(
            fourCC: format.pixelFormat.rawValue, width: format.size.width, height: format.size.height,
            millihertz: Int(((format.framesPerSecond ?? 0) * 1000).rounded()))
        guard let engagement = engage(ends, cameraDevice: format.device, camera: announced, writer: writer) else {
            return 2
        }
        defer { camera.stop() }
        do throws(OmoteError) {
            let pipeline = try MeshFacePipeline.load(configuration, rig: false, progress: { _ in })
            let runner = try serve(
                source: camera, processor: pipeline, ends: ends, writer: writer, engagement: engagement,
                content: content)
            return CameraGenerations.exitCode(after: runner)
        } catch {
            writer.send(.ended(.failure, "\(error)"))
            return 1
        }
    }
}
