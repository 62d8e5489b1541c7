/// The parent's check of a live processing child's records across camera generations (see `CameraGenerations`): each
/// generation sends `engaged`, then `camera`, at most once each; a `waiting` record ends a generation that engaged and
/// comes at most about once a second. A compromised child therefore cannot repeat those records to move their numbers
/// any faster than a real re-plug could.
public struct GenerationRecordOrder: Sendable {
    /// The generations announced so far (the first, plus one per `waiting` record).
    public private(set) var generations: UInt64 = 1
    private var engaged = false
    private var cameraReported = false

    public init() {}

    /// Checks that a record of `kind` may come now, `elapsedSeconds` into the session; returns the violation if not.
    public mutating func check(_ kind: StatusRecord.Kind, elapsedSeconds: UInt64) -> String? {
        switch kind {
        case .engaged:
            guard !engaged else { return "the processing child sent a second guard record in one camera generation" }
            engaged = true
        case .camera:
            guard engaged, !cameraReported else { return "the processing child sent a camera record out of order" }
            cameraReported = true
        case .waiting:
            guard engaged else { return "the processing child sent a camera-disconnected record before engaging" }
            generations += 1
            guard generations <= 2 + elapsedSeconds else {
                return "the processing child sent camera-disconnected records faster than one a second"
            }
            (engaged, cameraReported) = (false, false)
        case .clip, .failure, .done, .progress:
            break
        }
        return nil
    }
}
