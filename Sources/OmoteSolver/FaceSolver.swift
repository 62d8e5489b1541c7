import OmoteCore

/// Fits head pose, ARKit blendshape weights and identity to 68 landmarks every frame: bounded, regularised
/// Gauss–Newton in which the pose is eliminated (Schur complement) and the weights are solved by projected
/// coordinate descent in [0, 1]; plus Timm–Barth pupils for gaze, neutral calibration and One Euro smoothing.
/// All buffers are allocated in `init`; `solve` allocates nothing.
///
/// One step per file: this file holds the state and the per-frame orchestration (`solve`); the model evaluation is
/// in FaceSolver+Model.swift, the Gauss–Newton step in FaceSolver+GaussNewton.swift, neutral and identity learning
/// in FaceSolver+Neutral.swift, gaze in FaceSolver+Gaze.swift and the reported weights and pose in
/// FaceSolver+Output.swift.
public final class FaceSolver {
    public let configuration: FaceSolverConfiguration

    // Dimensions: 68 points padded to 72 (9 SIMD8 chunks); variables: linear shapes, mouthLeft−Right, jaw.
    static let points = 72
    static let chunks = 9
    static let linearShapes = SolvedShapes.linear
    static let lateralMouthIndex = linearShapes.count  // signed: + mouthLeft, − mouthRight
    static let fieldCount = linearShapes.count + 1
    static let jawOpenIndex = fieldCount
    static let jawLateralIndex = fieldCount + 1  // signed: + jawLeft, − jawRight
    static let variables = fieldCount + 2
    static let paddedVariables = (variables + 7) & ~7
    static let unknowns = 6 + variables
    static let modes = FaceModel.identityModeCount
    static let totalLandmarkWeight: Float = FaceModel.landmarkWeights.reduce(0, +)
    static let mouthCloseIndex = linearShapes.firstIndex(of: .mouthClose)!

    // Model (structure of arrays, each 3 × 72: x block, y block, z block).
    let neutral: AlignedBuffer<Float>
    let identityFields: AlignedBuffer<Float>  // modes × 216
    let offsets: AlignedBuffer<Float>  // the user's personal neutral offsets (216)
    let base: AlignedBuffer<Float>  // neutral + identity + offsets (216)
    let fields: AlignedBuffer<Float>  // fieldCount × 216
    let attachment: AlignedBuffer<Float>
    let rootWeight: AlignedBuffer<Float>  // √(landmark weight), 0 on padding
    // Per-frame work.
    let observed: AlignedBuffer<Float>  // u block, v block (144)
    let jawDerivatives: AlignedBuffer<Float>  // d/dOpen (216), d/dLateral (216)
    let modelPoints: AlignedBuffer<Float>  // head frame, after expression (216)
    let cameraPoints: AlignedBuffer<Float>  // camera frame (216)
    let headJacobian: AlignedBuffer<Float>  // Rᵀ·∂(u,v)/∂X: u x,y,z then v x,y,z (432)
    let jacobian: AlignedBuffer<Float>  // unknowns × 144, column-major
    let residual: AlignedBuffer<Float>  // 144
    let normal: AlignedBuffer<Float>  // unknowns²
    let gradient: AlignedBuffer<Float>  // unknowns
    let reduced: AlignedBuffer<Float>  // variables × paddedVariables, column-major
    let reducedGradient: AlignedBuffer<Float>  // paddedVariables
    let poseCoupling: AlignedBuffer<Float>  // 6 × paddedVariables: App⁻¹·Apw
    let step: AlignedBuffer<Float>  // paddedVariables
    let collected: AlignedBuffer<Float>  // running mean of the neutral face in the head frame (216)
    /// Cholesky factor of the pose block, row r at 8r (lower triangle).
    let poseFactor: AlignedBuffer<Float>  // 6 × 8
    /// The identity update's normal matrix, row i at 8i.
    let identitySystem: AlignedBuffer<Float>  // 6 × 8
    /// Forward/back substitution of eight pose-coupling columns at a time (lane = column).
    let substitution: AlignedBuffer<SIMD8<Float>>  // 6
    /// Per Jacobian column, bit c set when its point chunk c (points 8c…8c+7, u and v rows) can be non-zero: each
    /// field moves a few landmarks, so most products in JᵀJ are exact zeros and are skipped.
    let columnChunks: AlignedBuffer<UInt16>  // unknowns

    // State: per-variable buffers, then every scalar of the fit, the user and the smoothing in one private value.
    // Per-variable state as owned buffers (paddedVariables each): class-stored arrays cost an exclusivity check and a
    // bounds check per access in the coordinate descent's inner loop. `lower`, `upper` and `penalty` are constants.
    let weights: AlignedBuffer<Float>
    let lower: AlignedBuffer<Float>
    let upper: AlignedBuffer<Float>
    let penalty: AlignedBuffer<Float>
    /// Identity coefficients (one per `FaceModel.IdentityMode`, in standard deviations).
    let identity: AlignedBuffer<Float>
    /// `SolverState` in private memory (one element); the properties below read and write it in place.
    let state: AlignedBuffer<SolverState>

    // Gaze (the locators' buffers hold eye-region pixels: private too).
    let pupils: (left: PupilLocator, right: PupilLocator)

    public init(configuration: FaceSolverConfiguration = FaceSolverConfiguration()) throws(OmoteError) {
        self.configuration = configuration
        let p = Self.points
        // Model constants: ordinary memory.
        neutral = AlignedBuffer(zeroedCount: 3 * p)
        identityFields = AlignedBuffer(zeroedCount: Self.modes * 3 * p)
        attachment = AlignedBuffer(zeroedCount: p)
        rootWeight = AlignedBuffer(zeroedCount: p)
        columnChunks = AlignedBuffer(count: Self.unknowns, repeating: UInt16((1 << Self.chunks) - 1))
        lower = AlignedBuffer(zeroedCount: Self.paddedVariables)
        upper = AlignedBuffer(zeroedCount: Self.paddedVariables)
        penalty = AlignedBuffer(zeroedCount: Self.paddedVariables)
        // The user's face and everything fitted to the landmarks: private memory.
        offsets = try AlignedBuffer(privateZeroedCount: 3 * p)
        base = try AlignedBuffer(privateZeroedCount: 3 * p)
        fields = try AlignedBuffer(privateZeroedCount: Self.fieldCount * 3 * p)
        observed = try AlignedBuffer(privateZeroedCount: 2 * p)
        jawDerivatives = try AlignedBuffer(privateZeroedCount: 6 * p)
        modelPoints = try AlignedBuffer(privateZeroedCount: 3 * p)
        cameraPoints = try AlignedBuffer(privateZeroedCount: 3 * p)
        headJacobian = try AlignedBuffer(privateZeroedCount: 6 * p)
        jacobian = try AlignedBuffer(privateZeroedCount: Self.unknowns * 2 * p)
        residual = try AlignedBuffer(privateZeroedCount: 2 * p)
        // + 8: SIMD8 reads of the last row's tail.
        normal = try AlignedBuffer(privateZeroedCount: Self.unknowns * Self.unknowns + 8)
        gradient = try AlignedBuffer(privateZeroedCount: Self.unknowns + 8)
        reduced = try AlignedBuffer(privateZeroedCount: Self.variables * Self.paddedVariables + 8)  // + 8: v + 1
        reducedGradient = try AlignedBuffer(privateZeroedCount: Self.paddedVariables + 8)
        poseCoupling = try AlignedBuffer(privateZeroedCount: 6 * Self.paddedVariables)
        step = try AlignedBuffer(privateZeroedCount: Self.paddedVariables)
        collected = try AlignedBuffer(privateZeroedCount: 3 * p)
        poseFactor = try AlignedBuffer(privateZeroedCount: 6 * 8)
        identitySystem = try AlignedBuffer(privateZeroedCount: 6 * 8)
        substitution = try AlignedBuffer(privateCount: 6, repeating: SIMD8<Float>.zero)
        weights = try AlignedBuffer(privateZeroedCount: Self.paddedVariables)
        identity = try AlignedBuffer(privateZeroedCount: Self.modes)
        state = try AlignedBuffer(privateCount: 1, repeating: SolverState(configuration: configuration))
        pupils = (left: try PupilLocator(), right: try PupilLocator())

        loadModel()
        for v in 0 ..< Self.variables {
            lower[v] = (v == Self.lateralMouthIndex || v == Self.jawLateralIndex) ? -1 : 0
            upper[v] = 1
            penalty[v] = configuration.expressionRegularization
        }
        // Shapes that compete with more common ones for the same points get a stronger prior.
        let contested: [ARKitBlendshape] = [
            .mouthRollLower, .mouthRollUpper, .mouthShrugLower, .mouthClose, .mouthDimpleLeft, .mouthDimpleRight,
            .noseSneerLeft, .noseSneerRight,
        ]
        for shape in contested {
            penalty[Self.linearShapes.firstIndex(of: shape)!] = 3 * configuration.expressionRegularization
        }
        rebuildBase()
    }

    // MARK: Public control

    /// Forget the tracked face's pose and expression (call when the face is lost): the per-frame buffers, the pose,
    /// the gaze and the smoothing filters' history are wiped. The learned neutral and identity are kept: the next face
    /// is most likely the same user.
    public func reset() {
        wipeFrameBuffers()
        state.baseAddress.pointee.forgetFace(configuration: configuration)
    }

    /// Starts an explicit calibration: the next `calibrationSeconds` of frames are taken as the user's neutral face.
    public func beginCalibration() {
        calibrationStart = nil
        calibrationFrames = 0
        calibrationRequested = true
    }

    public var calibrationState: CalibrationState {
        if calibrationRequested {
            guard let start = calibrationStart else { return .collecting(progress: 0) }
            let seconds = Double(lastTimestamp &- start) * 1e-9
            return .collecting(progress: Float(min(1, seconds / configuration.calibrationSeconds)))
        }
        return neutralLearned ? .calibrated : .uncalibrated
    }

    /// Current identity coefficients (one per `FaceModel.IdentityMode`, in standard deviations).
    package var identityCoefficients: [Float] { (0 ..< Self.modes).map { identity[$0] } }

    // MARK: Solve

    /// Fits one frame. `landmarks` are dlib's 68 points in pixels of `image` (pixel centres at integer coordinates).
    public func solve(
        landmarks: FaceLandmarks,
        image: LumaImage,
        timestampNanoseconds: UInt64,
        into output: inout FaceSolverOutput
    ) {
        let period = beginFrame(landmarks: landmarks, image: image, timestampNanoseconds: timestampNanoseconds)
        let error = fitPoseAndExpression()
        output.flags = []
        output.reprojectionErrorPixels = error
        guard fitIsPlausible(error: error) else {
            reset()
            output.weights = BlendshapeWeights()
            output.calibration = calibrationState
            return
        }
        output.flags.insert(.poseValid)

        let neutralRate = learnNeutral(timestampNanoseconds: timestampNanoseconds, period: period)
        var gazeWeights = (left: SIMD4<Float>.zero, right: SIMD4<Float>.zero)  // up, down, in, out
        if configuration.estimateGaze {
            gazeWeights = estimateGaze(image: image, landmarks: landmarks, neutralRate: neutralRate, output: &output)
        }
        finishCalibrationPhases(timestampNanoseconds: timestampNanoseconds)
        if neutralLearned { output.flags.insert(.neutralLearned) }
        if calibrationRequested { output.flags.insert(.calibrating) }
        output.calibration = calibrationState

        reportWeights(gaze: gazeWeights, timestampNanoseconds: timestampNanoseconds, into: &output.weights)
        output.headPose = reportedPose(timestampNanoseconds: timestampNanoseconds)
    }

    /// Takes the frame's camera geometry and landmarks; returns the time since the previous frame in seconds.
    private func beginFrame(landmarks: FaceLandmarks, image: LumaImage, timestampNanoseconds: UInt64) -> Double {
        let p = Self.points
        focal = configuration.focalLength(imageWidth: image.width)
        principal = SIMD2(Float(image.width - 1) * 0.5, Float(image.height - 1) * 0.5)
        landmarks.withUnsafeBufferPointer { points in
            for k in 0 ..< 68 {
                observed[k] = points[k].x
                observed[p + k] = points[k].y
            }
        }
        let firstOrOutOfOrder = lastTimestamp == 0 || timestampNanoseconds <= lastTimestamp
        let period = firstOrOutOfOrder ? 1.0 / 30 : Double(timestampNanoseconds - lastTimestamp) * 1e-9
        lastTimestamp = timestampNanoseconds
        return period
    }

    /// Gauss–Newton from the previous frame's fit (or a frontal guess after a reset); returns the RMS reprojection
    /// error in pixels, with the residuals and head-frame Jacobians left linearised at the final fit.
    private func fitPoseAndExpression() -> Float {
        var iterations = configuration.iterationsPerFrame
        if !poseInitialised {
            initialisePose()
            iterations = configuration.iterationsAfterReset
        }
        for _ in 0 ..< iterations {
            evaluate()
            buildJacobian()
            solveStep()
        }
        evaluate()
        return linearise()
    }

    private func fitIsPlausible(error: Float) -> Bool {
        translation.z > 50 && translation.z < 10_000 && error.isFinite && weights[0].isFinite
    }
}
