import OmoteCore
import OmoteMesh
import Testing

/// What the mesh tracker computes from a face — landmarks, scores, pose, and the networks' activations (the last
/// crop) — lives in private memory and is wiped once the face is gone.
@Suite struct MeshPrivacyTests {
    @Test("landmarks and activations are private memory, and losing the face wipes landmarks, scores, pose and crop")
    func faceDataIsPrivateAndWipedOnLoss() throws {
        let tracker = try MeshTracker()
        let frames = LandmarkTrackingTests.Frames()
        for index in 0 ..< 3 {
            let found = try frames.withImage(clip: "single_face", index: index) { image in
                try tracker.process(image, timestampMicroseconds: Int64(index) * 33_333)
            }
            #expect(found)
        }
        #expect(tracker.landmarks.isPrivate && tracker.arena.isPrivate)
        #expect(tracker.arena.floatCount >= 1_051_728, "the landmark network sized the shared arena")
        #expect(tracker.weights != BlendshapeWeights() && tracker.transformation != nil)
        #expect(!tracker.arena.isZeroed)
        tracker.reset()
        #expect(tracker.weights == BlendshapeWeights() && tracker.transformation == nil)
        #expect(tracker.landmarks.hasSamePoints(as: try MeshLandmarks()))
        #expect(tracker.arena.isZeroed, "the last crop and everything computed from it are gone")
    }
}
