import OmoteCore

/// Every scalar the solver keeps from frame to frame — the pose, the camera, calibration progress, the gaze and the
/// smoothing filters' history — in one plain value, so that it can live in private memory (`FaceSolver.state`) rather
/// than in the object's ordinary heap storage.
struct SolverState: BitwiseCopyable {
    var rotation = Rotation3.identity
    var translation = SIMD3<Float>(0, 0, 600)
    var poseInitialised = false
    var focal: Float = 1
    var principal = SIMD2<Float>.zero

    // Calibration.
    var neutralLearned = false
    var adaptationFrames = 0
    var firstTimestamp: UInt64?
    var calibrationStart: UInt64?
    var calibrationFrames = 0
    var calibrationRequested = false
    var lastTimestamp: UInt64 = 0
    var gazeNeutral = (left: SIMD2<Float>.zero, right: SIMD2<Float>.zero)

    // Gaze and smoothing.
    var lastGaze = (left: SIMD2<Float>.zero, right: SIMD2<Float>.zero)
    var weightFilter: OneEuroFilter<SIMD64<Float>>?
    var poseFilter: OneEuroFilter<SIMD8<Float>>?

    init(configuration: FaceSolverConfiguration) {
        weightFilter = configuration.weightSmoothing.map { OneEuroFilter(parameters: $0) }
        poseFilter = configuration.poseSmoothing.map { OneEuroFilter(parameters: $0) }
    }

    /// The face is lost: its pose, last gaze and the filters' history go (fresh filters hold zeros); what was learned
    /// about the user (neutral, calibration progress, gaze neutral) stays.
    mutating func forgetFace(configuration: FaceSolverConfiguration) {
        let fresh = SolverState(configuration: configuration)
        rotation = fresh.rotation
        translation = fresh.translation
        poseInitialised = false
        lastGaze = fresh.lastGaze
        weightFilter = fresh.weightFilter
        poseFilter = fresh.poseFilter
    }
}

/// The state's fields as properties of the solver, read and written in place in its private memory.
extension FaceSolver {
    var rotation: Rotation3 {
        get { state.baseAddress.pointee.rotation }
        _modify { yield &state.baseAddress.pointee.rotation }
    }
    var translation: SIMD3<Float> {
        get { state.baseAddress.pointee.translation }
        _modify { yield &state.baseAddress.pointee.translation }
    }
    var poseInitialised: Bool {
        get { state.baseAddress.pointee.poseInitialised }
        _modify { yield &state.baseAddress.pointee.poseInitialised }
    }
    var focal: Float {
        get { state.baseAddress.pointee.focal }
        _modify { yield &state.baseAddress.pointee.focal }
    }
    var principal: SIMD2<Float> {
        get { state.baseAddress.pointee.principal }
        _modify { yield &state.baseAddress.pointee.principal }
    }
    var neutralLearned: Bool {
        get { state.baseAddress.pointee.neutralLearned }
        _modify { yield &state.baseAddress.pointee.neutralLearned }
    }
    var adaptationFrames: Int {
        get { state.baseAddress.pointee.adaptationFrames }
        _modify { yield &state.baseAddress.pointee.adaptationFrames }
    }
    var firstTimestamp: UInt64? {
        get { state.baseAddress.pointee.firstTimestamp }
        _modify { yield &state.baseAddress.pointee.firstTimestamp }
    }
    var calibrationStart: UInt64? {
        get { state.baseAddress.pointee.calibrationStart }
        _modify { yield &state.baseAddress.pointee.calibrationStart }
    }
    var calibrationFrames: Int {
        get { state.baseAddress.pointee.calibrationFrames }
        _modify { yield &state.baseAddress.pointee.calibrationFrames }
    }
    var calibrationRequested: Bool {
        get { state.baseAddress.pointee.calibrationRequested }
        _modify { yield &state.baseAddress.pointee.calibrationRequested }
    }
    var lastTimestamp: UInt64 {
        get { state.baseAddress.pointee.lastTimestamp }
        _modify { yield &state.baseAddress.pointee.lastTimestamp }
    }
    var gazeNeutral: (left: SIMD2<Float>, right: SIMD2<Float>) {
        get { state.baseAddress.pointee.gazeNeutral }
        _modify { yield &state.baseAddress.pointee.gazeNeutral }
    }
    var lastGaze: (left: SIMD2<Float>, right: SIMD2<Float>) {
        get { state.baseAddress.pointee.lastGaze }
        _modify { yield &state.baseAddress.pointee.lastGaze }
    }
    var weightFilter: OneEuroFilter<SIMD64<Float>>? {
        get { state.baseAddress.pointee.weightFilter }
        _modify { yield &state.baseAddress.pointee.weightFilter }
    }
    var poseFilter: OneEuroFilter<SIMD8<Float>>? {
        get { state.baseAddress.pointee.poseFilter }
        _modify { yield &state.baseAddress.pointee.poseFilter }
    }

    /// Wipes what one frame's fit leaves behind: the landmarks, model and camera points, Jacobians, residuals, normal
    /// equations, the weights and both pupil locators' eye pixels (the user's neutral and identity are kept).
    func wipeFrameBuffers() {
        observed.wipe()
        jawDerivatives.wipe()
        modelPoints.wipe()
        cameraPoints.wipe()
        headJacobian.wipe()
        jacobian.wipe()
        residual.wipe()
        normal.wipe()
        gradient.wipe()
        reduced.wipe()
        reducedGradient.wipe()
        poseCoupling.wipe()
        step.wipe()
        poseFactor.wipe()
        identitySystem.wipe()
        substitution.wipe()
        weights.wipe()
        pupils.left.wipe()
        pupils.right.wipe()
    }

    /// Whether every buffer that holds expression or user data is live private memory (tests).
    package var expressionDataIsPrivate: Bool {
        offsets.isPrivate && base.isPrivate && fields.isPrivate && observed.isPrivate && jawDerivatives.isPrivate
            && modelPoints.isPrivate && cameraPoints.isPrivate && headJacobian.isPrivate && jacobian.isPrivate
            && residual.isPrivate && normal.isPrivate && gradient.isPrivate && reduced.isPrivate
            && reducedGradient.isPrivate && poseCoupling.isPrivate && step.isPrivate && collected.isPrivate
            && poseFactor.isPrivate && identitySystem.isPrivate && substitution.isPrivate && weights.isPrivate
            && identity.isPrivate && state.isPrivate && pupils.left.isPrivate && pupils.right.isPrivate
    }

    /// Locked bytes the solver holds (its share of the locked-memory budget).
    package var privateBytes: Int {
        offsets.privateBytes + base.privateBytes + fields.privateBytes + observed.privateBytes
            + jawDerivatives.privateBytes + modelPoints.privateBytes + cameraPoints.privateBytes
            + headJacobian.privateBytes + jacobian.privateBytes + residual.privateBytes + normal.privateBytes
            + gradient.privateBytes + reduced.privateBytes + reducedGradient.privateBytes + poseCoupling.privateBytes
            + step.privateBytes + collected.privateBytes + poseFactor.privateBytes + identitySystem.privateBytes
            + substitution.privateBytes + weights.privateBytes + identity.privateBytes + state.privateBytes
            + pupils.left.privateBytes + pupils.right.privateBytes
    }
}

extension FaceSolver {
    /// Whether the per-frame buffers hold only zeros (after `reset()`; tests).
    package var frameBuffersHoldOnlyZeros: Bool {
        observed.holdsOnlyZeros && jawDerivatives.holdsOnlyZeros && modelPoints.holdsOnlyZeros
            && cameraPoints.holdsOnlyZeros && headJacobian.holdsOnlyZeros && jacobian.holdsOnlyZeros
            && residual.holdsOnlyZeros && normal.holdsOnlyZeros && gradient.holdsOnlyZeros && reduced.holdsOnlyZeros
            && reducedGradient.holdsOnlyZeros && poseCoupling.holdsOnlyZeros && step.holdsOnlyZeros
            && poseFactor.holdsOnlyZeros && identitySystem.holdsOnlyZeros && substitution.holdsOnlyZeros
            && weights.holdsOnlyZeros && pupils.left.holdsOnlyZeros && pupils.right.holdsOnlyZeros
    }
}
