import OmoteCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// BlazeFace's raw outputs → face detections, as MediaPipe's face detector graph decodes them
/// (TensorsToDetectionsCalculator, NonMaxSuppressionCalculator, DetectionProjection): per anchor, the box centre and
/// keypoints are offsets from the anchor centre in input pixels (scale 128) and the size is in input pixels; the
/// score is sigmoid(clamp(logit, ±100)) and must reach `minimumScore`; overlapping boxes (IoU > `suppressionThreshold`)
/// merge by weighted non-maximum suppression; the letterbox is removed last. Buffers are sized at init; `decode`
/// allocates nothing. Not thread-safe.
public final class FaceDetectionDecoder {
    public static let anchorCount = 896
    /// x-centre, y-centre, width, height, then 6 × (x, y).
    public static let valuesPerAnchor = 16
    static let coordinateScale: Float = 128
    static let scoreClip: Float = 100

    /// MediaPipe's `min_face_detection_confidence` default.
    public var minimumScore: Float = 0.5
    /// MediaPipe's face detector `min_suppression_threshold` default (IoU).
    public var suppressionThreshold: Float = 0.5

    /// Detections of the last `decode`, best score first, in normalised frame coordinates.
    public private(set) var detections: [FaceDetection]

    private let anchors: [SIMD2<Float>]
    private var candidates: [FaceDetection]
    private var pending: [Int]
    private var remained: [Int]

    public init() {
        anchors = FaceDetectorAnchors.centres()
        precondition(anchors.count == Self.anchorCount, "BlazeFace short range has 896 anchors")
        detections = []
        candidates = []
        pending = []
        remained = []
        detections.reserveCapacity(Self.anchorCount)
        candidates.reserveCapacity(Self.anchorCount)
        pending.reserveCapacity(Self.anchorCount)
        remained.reserveCapacity(Self.anchorCount)
    }

    /// Decodes the detector's `regressors` (896 × 16) and score `logits` (896) for a frame placed in the input by
    /// `letterbox`.
    public func decode(
        regressors: UnsafeBufferPointer<Float>,
        logits: UnsafeBufferPointer<Float>,
        letterbox: Letterbox
    ) throws(OmoteError) {
        guard regressors.count == Self.anchorCount * Self.valuesPerAnchor, logits.count == Self.anchorCount else {
            throw OmoteError(
                .meshInputInvalid,
                operation: "decode face detections",
                subject: "",
                reason: "\(regressors.count) regressor values and \(logits.count) scores",
                remedy: "Pass BlazeFace short range's outputs: 896 × 16 regressors and 896 scores."
            )
        }
        collectCandidates(regressors, logits)
        sortCandidatesByScore()
        suppress()
        var index = 0
        while index < detections.count {
            detections[index] = Self.removing(letterbox, from: detections[index])
            index += 1
        }
    }

    private func collectCandidates(_ regressors: UnsafeBufferPointer<Float>, _ logits: UnsafeBufferPointer<Float>) {
        candidates.removeAll(keepingCapacity: true)
        let scale = Self.coordinateScale
        var anchor = 0
        while anchor < Self.anchorCount {
            let logit = min(Self.scoreClip, max(-Self.scoreClip, logits[anchor]))
            let score = 1 / (1 + expf(-logit))
            if score >= minimumScore {
                let base = anchor * Self.valuesPerAnchor
                let centre = anchors[anchor]
                let x = regressors[base] / scale + centre.x
                let y = regressors[base + 1] / scale + centre.y
                let halfWidth = regressors[base + 2] / scale / 2
                let halfHeight = regressors[base + 3] / scale / 2
                var detection = FaceDetection(
                    score: score,
                    box: SIMD4(
                        x - halfWidth, y - halfHeight,
                        x + halfWidth, y + halfHeight))
                var keypoint = 0
                while keypoint < FaceDetection.keypointCount {
                    detection.keypointX[keypoint] = regressors[base + 4 + 2 * keypoint] / scale + centre.x
                    detection.keypointY[keypoint] = regressors[base + 5 + 2 * keypoint] / scale + centre.y
                    keypoint += 1
                }
                candidates.append(detection)
            }
            anchor += 1
        }
    }

    /// Insertion sort, best first (no scratch allocation; candidates above the threshold are few).
    private func sortCandidatesByScore() {
        var index = 1
        while index < candidates.count {
            let moving = candidates[index]
            var slot = index
            while slot > 0, candidates[slot - 1].score < moving.score {
                candidates[slot] = candidates[slot - 1]
                slot -= 1
            }
            candidates[slot] = moving
            index += 1
        }
    }

    /// MediaPipe's weighted non-maximum suppression: the best remaining detection absorbs every remaining one whose
    /// IoU with it exceeds the threshold (itself included); its box corners and keypoints become their
    /// score-weighted mean, its score stays its own.
    private func suppress() {
        detections.removeAll(keepingCapacity: true)
        pending.removeAll(keepingCapacity: true)
        var index = 0
        while index < candidates.count {
            pending.append(index)
            index += 1
        }
        while !pending.isEmpty {
            let best = candidates[pending[0]]
            remained.removeAll(keepingCapacity: true)
            var totalScore: Float = 0
            var box = SIMD4<Float>()
            var keypointX = SIMD8<Float>()
            var keypointY = SIMD8<Float>()
            var absorbed = 0
            index = 0
            while index < pending.count {
                let other = candidates[pending[index]]
                if other.intersectionOverUnion(best) > suppressionThreshold {
                    totalScore += other.score
                    box += other.box * other.score
                    keypointX += other.keypointX * other.score
                    keypointY += other.keypointY * other.score
                    absorbed += 1
                } else {
                    remained.append(pending[index])
                }
                index += 1
            }
            var merged = best
            if absorbed > 0 {
                merged.box = box / totalScore
                merged.keypointX = keypointX / totalScore
                merged.keypointY = keypointY / totalScore
            }
            detections.append(merged)
            if remained.count == pending.count {
                break
            }
            swap(&pending, &remained)
        }
    }

    private static func removing(_ letterbox: Letterbox, from detection: FaceDetection) -> FaceDetection {
        var result = detection
        let low = letterbox.removing(SIMD2(detection.box.x, detection.box.y))
        let high = letterbox.removing(SIMD2(detection.box.z, detection.box.w))
        result.box = SIMD4(low.x, low.y, high.x, high.y)
        var keypoint = 0
        while keypoint < FaceDetection.keypointCount {
            let point = letterbox.removing(detection.keypoint(keypoint))
            result.keypointX[keypoint] = point.x
            result.keypointY[keypoint] = point.y
            keypoint += 1
        }
        return result
    }
}
