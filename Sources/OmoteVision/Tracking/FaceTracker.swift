import OmoteCore

/// Follows faces from frame to frame so the detector runs only when it must.
///
/// A tracked face's next box comes from its own landmarks (`LandmarkFitting.trackingRect`), so a steady face costs one
/// landmark fit per frame and no detection. The detector runs over the whole frame only while fewer faces are
/// tracked than wanted, in a small region around a face whose fit went bad (to re-acquire it), and periodically in
/// that region to recover scale. A face whose fit is bad is not reported, but keeps its id for a few frames
/// (hysteresis) so one bad frame does not make it a new face.
public final class FaceTracker {
    public struct Configuration: Sendable {
        /// Cascade box → the box the landmark model expects (see `BoxCalibration`).
        public var detectionCalibration = BoxCalibration.identity
        /// A fit at or above this quality is a face.
        public var minimumQuality: Float = 0.5
        /// Frames a face may go without a good fit and still come back with the same id.
        public var framesKeptWithoutFit = 3
        /// Every this many frames a tracked face is re-detected around its box, to recover scale (0: never).
        public var redetectInterval = 30
        /// The re-detection region: the face box grown by this fraction of its side on every edge.
        public var searchMargin: Float = 0.5
        /// Re-detection looks for cascade boxes whose side is within this factor of the expected one (either way).
        public var searchScaleRange: Float = 1.6
        /// The most faces followed at once. With one (the default) a tracked face stops the full-frame search.
        public var maximumFaces = 1
        /// With more than one face wanted: every this many frames the full frame is searched for new faces.
        public var newFaceSearchInterval = 10

        public init() {}
    }

    /// A face the tracker reports this frame: a good fit.
    public struct TrackedFace: Sendable {
        /// Stable while the face is followed; never reused.
        public var id: Int
        /// The box the landmarks were fitted in.
        public var rect: FaceRect
        public var landmarks: FaceLandmarks
        public var quality: Float
        /// Frames in a row this face has been reported.
        public var framesTracked: Int
    }

    /// How the last `update` found its faces (for timing reports and tests).
    public struct FrameActivity: Sendable, Equatable {
        public var fullFrameSearches = 0
        public var regionSearches = 0
        public var fits = 0
    }

    public let finder: FaceFinding
    public let fitter: LandmarkFitting
    public var configuration: Configuration
    public private(set) var lastActivity = FrameActivity()

    private struct Track {
        var face: TrackedFace
        var framesWithoutFit: Int
        var framesSinceDetection: Int
    }

    private var tracks: [Track] = []
    private var reported: [TrackedFace] = []
    private var detections: [FaceRect] = []
    // Landmarks live in private memory (see `FaceLandmarks`): the work buffers, plus wiped spares that a face which
    // appears takes and a face which is lost gives back, so following faces maps nothing per frame.
    private var trackingFit: FaceLandmarks
    private var detectionFit: FaceLandmarks
    private var spares: [FaceLandmarks] = []
    private var nextID = 1
    private var framesSinceNewFaceSearch = 0
    /// Why a face that appeared is not followed: the kernel refused private memory for its landmarks (nil if never).
    public private(set) var memoryError: OmoteError?

    /// Maps the landmark memory for `configuration.maximumFaces` faces now; throws when the kernel refuses it.
    public init(finder: FaceFinding, fitter: LandmarkFitting, configuration: Configuration = Configuration())
        throws(OmoteError)
    {
        self.finder = finder
        self.fitter = fitter
        self.configuration = configuration
        trackingFit = try FaceLandmarks()
        detectionFit = try FaceLandmarks()
        tracks.reserveCapacity(8)
        reported.reserveCapacity(8)
        detections.reserveCapacity(32)
        spares.reserveCapacity(max(8, configuration.maximumFaces + 2))
        for _ in 0 ..< max(1, configuration.maximumFaces) { spares.append(try FaceLandmarks()) }
    }

    /// Forgets every face (a new clip, a camera restart): their landmarks, the work buffers and the fitter's last
    /// face are wiped. Ids keep increasing.
    public func reset() {
        reported.removeAll(keepingCapacity: true)  // its copies would keep the faces' storage shared
        for index in tracks.indices { retire(&tracks[index].face.landmarks) }
        tracks.removeAll(keepingCapacity: true)
        trackingFit.wipe()
        detectionFit.wipe()
        fitter.forgetFace()
        framesSinceNewFaceSearch = 0
    }

    /// A lost face's landmarks: wiped, kept for the next face (the track is removed right after).
    private func retire(_ landmarks: inout FaceLandmarks) {
        landmarks.wipe()
        spares.append(landmarks)
    }

    /// Landmark storage for a face that appears: a spare, or newly mapped (nil, with `memoryError`, if refused).
    private func spareLandmarks() -> FaceLandmarks? {
        if let spare = spares.popLast() { return spare }
        do throws(OmoteError) {
            return try FaceLandmarks()
        } catch {
            memoryError = error
            return nil
        }
    }

    /// Follows the faces into `image` and returns the ones with a good fit this frame, oldest first.
    /// The array returned last time must be released by then, or this frame's fits copy the landmark storage.
    public func update(with image: LumaImage) -> [TrackedFace] {
        lastActivity = FrameActivity()
        reported.removeAll(keepingCapacity: true)
        var index = 0
        while index < tracks.count {
            if follow(&tracks[index], in: image) {
                index += 1
            } else {
                retire(&tracks[index].face.landmarks)
                tracks.remove(at: index)
            }
        }
        searchForNewFaces(in: image)
        if tracks.isEmpty {
            // No face followed: nothing of the last one (or of a rejected fit) stays in the work buffers.
            trackingFit.wipe()
            detectionFit.wipe()
            fitter.forgetFace()
        }

        for track in tracks where track.framesWithoutFit == 0 {
            reported.append(track.face)
        }
        return reported
    }

    /// Refits one face from its previous landmarks; re-detects around it when the fit is bad or scale may have
    /// drifted. Returns false when the face is gone for good. The previous landmarks stay in the track until a good
    /// fit replaces them (swapped in from a work buffer: no copy, no allocation).
    private func follow(_ track: inout Track, in image: LumaImage) -> Bool {
        track.framesSinceDetection += 1
        var rect = fitter.trackingRect(for: track.face.landmarks)
        var quality = fit(image, in: rect, into: &trackingFit)
        var fromDetection = false

        let periodic =
            configuration.redetectInterval > 0 && track.framesSinceDetection >= configuration.redetectInterval
        if quality < configuration.minimumQuality || periodic {
            let around = track.framesWithoutFit > 0 ? track.face.rect : rect
            if let (detectedRect, detectedQuality) = redetect(near: around, in: image), detectedQuality >= quality {
                rect = detectedRect
                quality = detectedQuality
                fromDetection = true
            }
            track.framesSinceDetection = 0
        }

        guard quality >= configuration.minimumQuality else {
            track.face.quality = quality
            track.framesWithoutFit += 1
            return track.framesWithoutFit <= configuration.framesKeptWithoutFit
        }
        if fromDetection {
            swap(&track.face.landmarks, &detectionFit)
        } else {
            swap(&track.face.landmarks, &trackingFit)
        }
        track.face.rect = rect
        track.face.quality = quality
        track.face.framesTracked = track.framesWithoutFit == 0 ? track.face.framesTracked + 1 : 1
        track.framesWithoutFit = 0
        return true
    }

    /// Searches a region around `rect`; fits the best-overlapping detection into `detectionFit`.
    private func redetect(near rect: FaceRect, in image: LumaImage) -> (FaceRect, Float)? {
        let margin = configuration.searchMargin * rect.width
        let region = FaceRect(
            x: rect.x - margin, y: rect.y - margin,
            width: rect.width + 2 * margin, height: rect.height + 2 * margin)
        // The cascade box this face would get: the inverse of the calibration's side scale.
        let expected = rect.width / max(configuration.detectionCalibration.sideScale, 1e-3)
        let sides = expected / configuration.searchScaleRange ... expected * configuration.searchScaleRange
        finder.findFaces(in: image, within: region, sides: sides, into: &detections)
        lastActivity.regionSearches += 1
        var best: FaceRect?
        var bestOverlap: Float = 0
        for detection in detections {
            let candidate = configuration.detectionCalibration.apply(to: detection)
            let overlap = candidate.intersectionOverUnion(rect)
            if overlap > bestOverlap {
                bestOverlap = overlap
                best = candidate
            }
        }
        guard let best else { return nil }
        return (best, fit(image, in: best, into: &detectionFit))
    }

    private func searchForNewFaces(in image: LumaImage) {
        let following = tracks.count
        guard following < configuration.maximumFaces else { return }
        if following > 0 {
            framesSinceNewFaceSearch += 1
            guard framesSinceNewFaceSearch >= configuration.newFaceSearchInterval else { return }
        }
        framesSinceNewFaceSearch = 0
        finder.findFaces(in: image, within: nil, into: &detections)
        lastActivity.fullFrameSearches += 1
        for detection in detections where tracks.count < configuration.maximumFaces {
            let rect = configuration.detectionCalibration.apply(to: detection)
            // A face that is already followed (or is coasting through bad frames) keeps its id.
            if let existing = tracks.firstIndex(where: { $0.face.rect.intersectionOverUnion(rect) > 0.3 }) {
                guard tracks[existing].framesWithoutFit > 0 else { continue }
                let quality = fit(image, in: rect, into: &detectionFit)
                guard quality >= configuration.minimumQuality else { continue }
                swap(&tracks[existing].face.landmarks, &detectionFit)
                tracks[existing].face.rect = rect
                tracks[existing].face.quality = quality
                tracks[existing].face.framesTracked = 1
                tracks[existing].framesWithoutFit = 0
                tracks[existing].framesSinceDetection = 0
                continue
            }
            let quality = fit(image, in: rect, into: &detectionFit)
            guard quality >= configuration.minimumQuality else { continue }
            // A new face takes the work buffer; a spare replaces it (mapped only when no spare is left).
            guard let replacement = spareLandmarks() else { continue }
            let face = TrackedFace(id: nextID, rect: rect, landmarks: detectionFit, quality: quality, framesTracked: 1)
            detectionFit = replacement
            nextID += 1
            tracks.append(Track(face: face, framesWithoutFit: 0, framesSinceDetection: 0))
        }
    }

    private func fit(_ image: LumaImage, in rect: FaceRect, into landmarks: inout FaceLandmarks) -> Float {
        lastActivity.fits += 1
        return fitter.fitLandmarks(image, in: rect, into: &landmarks)
    }
}

extension FaceTracker {
    /// Every landmark value the tracker holds (followed faces, work buffers, spares), for tests.
    private var heldLandmarks: [FaceLandmarks] { tracks.map(\.face.landmarks) + [trackingFit, detectionFit] + spares }

    /// Whether every landmark value the tracker holds lives in registered private memory.
    package var landmarksArePrivate: Bool { heldLandmarks.allSatisfy(\.isPrivate) }

    /// Whether every landmark value the tracker holds is zero (after `reset`, or once every face is lost).
    package var landmarksAreWiped: Bool {
        heldLandmarks.allSatisfy { $0.withUnsafeBufferPointer { $0.allSatisfy { $0 == .zero } } }
    }
}
