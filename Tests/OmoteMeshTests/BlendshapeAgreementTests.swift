import OmoteCore
import OmoteMesh
import Testing

/// How far Omote's layer after the regressor stays with MediaPipe on real faces: SampleFrames' two clips with a face
/// (single_face and face_noface 0–71: a relaxed face, a blink, a broad grin with the teeth together), each run as a
/// session, the refined scores against MediaPipe's own (Fixtures/mediapipe). A release build runs every frame; a
/// debug build every 6th (the network costs ~0.3 s there).
@Suite struct BlendshapeAgreementTests {
    struct Run {
        var raw: [[Float]] = Array(repeating: [], count: 51)
        var refined: [[Float]] = Array(repeating: [], count: 51)
        var mediaPipe: [[Float]] = Array(repeating: [], count: 51)
    }

    static func run(geometric: Bool, restRemoval: Bool) throws -> Run {
        #if DEBUG
        let frameStride = 6
        #else
        let frameStride = 1
        #endif
        var run = Run()
        for clip in ["single_face", "face_noface"] {
            let session = try BlendshapeRefinementTests.Session()
            session.refinement.correctsGeometrically = geometric
            session.refinement.removesRestOffsets = restRemoval
            let frames = try MeshGeometricMeasuresTests.faceFrames().filter { $0.clip == clip }
            for frame in stride(from: 0, to: frames.count, by: frameStride).map({ frames[$0] }) {
                let (raw, refined) = try session.step(frame.landmarks)
                for shape in 0 ..< 51 {
                    run.raw[shape].append(raw.values[shape])
                    run.refined[shape].append(refined.values[shape])
                    run.mediaPipe[shape].append(frame.scores[shape + 1])
                }
            }
        }
        return run
    }

    /// Pearson's correlation; 0 when either series is constant (a shape flattened to 0 agrees with nothing).
    static func correlation(_ a: [Float], _ b: [Float]) -> Float {
        let n = Float(a.count)
        let meanA = a.reduce(0, +) / n
        let meanB = b.reduce(0, +) / n
        var ab: Float = 0
        var aa: Float = 0
        var bb: Float = 0
        for (x, y) in zip(a, b) {
            ab += (x - meanA) * (y - meanB)
            aa += (x - meanA) * (x - meanA)
            bb += (y - meanB) * (y - meanB)
        }
        guard aa > 0, bb > 0 else { return 0 }
        return ab / (aa * bb).squareRoot()
    }

    /// The shapes the layer moved by more than 0.001 on some frame, with their correlation to MediaPipe's.
    static func moved(_ run: Run) -> [(shape: ARKitBlendshape, change: Float, correlation: Float)] {
        (0 ..< 51).compactMap { shape in
            let change = zip(run.raw[shape], run.refined[shape]).map { abs($0 - $1) }.max() ?? 0
            guard change > 1e-3 else { return nil }
            return (ARKitBlendshape(rawValue: shape)!, change, correlation(run.refined[shape], run.mediaPipe[shape]))
        }
    }

    static func median(_ values: [Float]) -> Float {
        let sorted = values.sorted()
        return sorted.isEmpty ? .nan : (sorted[(sorted.count - 1) / 2] + sorted[sorted.count / 2]) / 2
    }

    static func report(_ label: String, _ moved: [(shape: ARKitBlendshape, change: Float, correlation: Float)]) {
        print(
            "\(label): moved \(moved.count) shapes, median correlation with MediaPipe "
                + "\(median(moved.map(\.correlation))): "
                + moved.map { "\($0.shape) (change ≤ \($0.change), r \($0.correlation))" }.joined(separator: ", "))
    }

    @Test("the geometric layer alone moves no score by more than 0.05 on real faces; moved shapes keep r ≥ 0.95")
    func geometricLayerAgrees() throws {
        let run = try Self.run(geometric: true, restRemoval: false)
        let moved = Self.moved(run)
        Self.report("geometric layer on SampleFrames", moved)
        for entry in moved {
            #expect(entry.change <= 0.05, "\(entry.shape) moved by \(entry.change)")
        }
        if !moved.isEmpty {
            #expect(Self.median(moved.map(\.correlation)) >= 0.95)
        }
    }

    @Test("with rest removal: only jawOpen and mouthFunnel move more, each keeping r ≥ 0.95 with MediaPipe")
    func fullLayerAgrees() throws {
        let run = try Self.run(geometric: true, restRemoval: true)
        let moved = Self.moved(run)
        Self.report("geometric layer and rest removal on SampleFrames", moved)
        for entry in moved {
            #expect([.jawOpen, .mouthFunnel].contains(entry.shape), "\(entry.shape) moved by \(entry.change)")
            #expect(entry.correlation >= 0.95, "\(entry.shape) r \(entry.correlation)")
        }
        // The removal is on: the jaw's resting score goes.
        #expect(moved.contains { $0.shape == .jawOpen })
    }
}
