#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OmoteCore

/// How the solver sees the camera and how it fits. Defaults suit a 640×360 UVC webcam at arm's length.
public struct FaceSolverConfiguration: Sendable {
    /// Horizontal field of view used to derive the focal length when `focalLengthPixels` is nil. 60° is the median
    /// of common UVC webcams (typically 55°–78° diagonal); a wrong FOV mostly biases distance, not weights.
    public var horizontalFieldOfViewDegrees: Float = 60
    /// Focal length in pixels of the image handed to `solve` (overrides the FOV).
    public var focalLengthPixels: Float?
    /// Gauss–Newton iterations per frame (warm-started from the previous frame).
    public var iterationsPerFrame = 3
    /// Iterations on the first frame after `reset()` (cold start from a frontal guess).
    public var iterationsAfterReset = 20
    /// Sweeps of projected coordinate descent over the weights per iteration.
    public var coordinateDescentSweeps = 16
    /// L2 penalty (mm² per unit weight²) pulling weights toward 0: under 1 % shrinkage on a mouth shape, ≈ 5 % on
    /// the small lid shapes, and it makes near-degenerate combinations pick the smaller explanation.
    public var expressionRegularization: Float = 0.5
    /// Learn the user's resting face automatically: fully over `warmUpSeconds`, then slowly.
    public var automaticNeutralAdaptation = true
    public var warmUpSeconds: Double = 1.0
    /// Time constant of the slow adaptation afterwards (only on near-neutral frames).
    public var adaptationTimeConstantSeconds: Double = 30
    /// Time constant of the identity-mode update (only on near-neutral frames).
    public var identityTimeConstantSeconds: Double = 2
    /// Length of an explicit calibration ("hold a neutral face").
    public var calibrationSeconds: Double = 2
    /// Locate pupils for eyeLook*.
    public var estimateGaze = true
    /// Smoothing of weights and pose; nil passes raw values.
    public var weightSmoothing: OneEuroParameters? = .weights
    public var poseSmoothing: OneEuroParameters? = .pose

    public init() {}

    /// Focal length for an image `width` pixels wide.
    public func focalLength(imageWidth: Int) -> Float {
        if let focalLengthPixels { return focalLengthPixels }
        return Float(imageWidth) * 0.5 / tanf(horizontalFieldOfViewDegrees * .pi / 360)
    }
}

/// What the solver reports each frame.
public struct FaceSolverFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// The fit converged to a plausible pose this frame.
    public static let poseValid = FaceSolverFlags(rawValue: 1 << 0)
    /// A neutral face has been learned (warm-up finished or explicit calibration done).
    public static let neutralLearned = FaceSolverFlags(rawValue: 1 << 1)
    /// An explicit calibration is collecting frames.
    public static let calibrating = FaceSolverFlags(rawValue: 1 << 2)
    /// The left/right pupil was located this frame (eye open, enough contrast).
    public static let gazeLeftValid = FaceSolverFlags(rawValue: 1 << 3)
    public static let gazeRightValid = FaceSolverFlags(rawValue: 1 << 4)
}

/// Per-frame result. Not Codable; `description` is redacted (expression data never reaches a log).
public struct FaceSolverOutput: Sendable, CustomStringConvertible {
    public var weights = BlendshapeWeights()
    /// Head pose in the camera frame (for the rig's head bone).
    public var headPose = HeadPose()
    /// Pupil offsets from each eye's centre in eye widths (+x toward the subject's left, +y down), after neutral
    /// subtraction; meaningful when the matching gaze flag is set.
    public var gazeLeft: SIMD2<Float> = .zero
    public var gazeRight: SIMD2<Float> = .zero
    public var flags: FaceSolverFlags = []
    public var calibration: CalibrationState = .uncalibrated
    /// RMS distance between the fitted model and the landmarks, in pixels.
    public var reprojectionErrorPixels: Float = 0

    public init() {}
    public var description: String { "FaceSolverOutput(redacted)" }
}

/// Fits head pose, ARKit blendshape weights and identity to 68 landmarks every frame: bounded, regularised
/// Gauss–Newton in which the pose is eliminated (Schur complement) and the weights are solved by projected
/// coordinate descent in [0, 1]; plus Timm–Barth pupils for gaze, neutral calibration and One Euro smoothing.
/// All buffers are allocated in `init`; `solve` allocates nothing.
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
    private let neutral: UnsafeMutablePointer<Float>
    private let identityFields: UnsafeMutablePointer<Float>  // modes × 216
    private let offsets: UnsafeMutablePointer<Float>  // the user's personal neutral offsets (216)
    private let base: UnsafeMutablePointer<Float>  // neutral + identity + offsets (216)
    private let fields: UnsafeMutablePointer<Float>  // fieldCount × 216
    private let attachment: UnsafeMutablePointer<Float>
    private let rootWeight: UnsafeMutablePointer<Float>  // √(landmark weight), 0 on padding
    // Per-frame work.
    private let observed: UnsafeMutablePointer<Float>  // u block, v block (144)
    private let jawDerivatives: UnsafeMutablePointer<Float>  // d/dOpen (216), d/dLateral (216)
    private let modelPoints: UnsafeMutablePointer<Float>  // head frame, after expression (216)
    private let cameraPoints: UnsafeMutablePointer<Float>  // camera frame (216)
    private let headJacobian: UnsafeMutablePointer<Float>  // Rᵀ·∂(u,v)/∂X: u x,y,z then v x,y,z (432)
    private let jacobian: UnsafeMutablePointer<Float>  // unknowns × 144, column-major
    private let residual: UnsafeMutablePointer<Float>  // 144
    private let normal: UnsafeMutablePointer<Float>  // unknowns²
    private let gradient: UnsafeMutablePointer<Float>  // unknowns
    private let reduced: UnsafeMutablePointer<Float>  // variables × paddedVariables, column-major
    private let reducedGradient: UnsafeMutablePointer<Float>  // paddedVariables
    private let poseCoupling: UnsafeMutablePointer<Float>  // 6 × paddedVariables: App⁻¹·Apw
    private let step: UnsafeMutablePointer<Float>  // paddedVariables
    private let collected: UnsafeMutablePointer<Float>  // running mean of the neutral face in the head frame (216)
    /// Per Jacobian column, bit c set when its point chunk c (points 8c…8c+7, u and v rows) can be non-zero: each
    /// field moves a few landmarks, so most products in JᵀJ are exact zeros and are skipped.
    private let columnChunks: UnsafeMutablePointer<UInt16>  // unknowns

    // State.
    // Per-variable state as raw buffers (paddedVariables each): class-stored arrays cost an exclusivity check and a
    // bounds check per access in the coordinate descent's inner loop.
    private let weights: UnsafeMutablePointer<Float>
    private let lower: UnsafeMutablePointer<Float>
    private let upper: UnsafeMutablePointer<Float>
    private let penalty: UnsafeMutablePointer<Float>
    private var identity = [Float](repeating: 0, count: FaceSolver.modes)
    private var rotation = Rotation3.identity
    private var translation = SIMD3<Float>(0, 0, 600)
    private var poseInitialised = false
    private var focal: Float = 1
    private var principal = SIMD2<Float>.zero

    // Calibration.
    private var neutralLearned = false
    private var adaptationFrames = 0
    private var firstTimestamp: UInt64?
    private var calibrationStart: UInt64?
    private var calibrationFrames = 0
    private var lastTimestamp: UInt64 = 0
    private var gazeNeutral = (left: SIMD2<Float>.zero, right: SIMD2<Float>.zero)
    private var gazeNeutralSamples = (left: 0, right: 0)

    // Gaze and smoothing.
    private let pupils = (left: PupilLocator(), right: PupilLocator())
    private var lastGaze = (left: SIMD2<Float>.zero, right: SIMD2<Float>.zero)
    private var weightFilter: OneEuroFilter<SIMD64<Float>>?
    private var poseFilter: OneEuroFilter<SIMD8<Float>>?

    public init(configuration: FaceSolverConfiguration = FaceSolverConfiguration()) {
        self.configuration = configuration
        let p = Self.points
        func buffer(_ n: Int) -> UnsafeMutablePointer<Float> {
            let b = UnsafeMutablePointer<Float>.allocate(capacity: n)
            b.initialize(repeating: 0, count: n)
            return b
        }
        neutral = buffer(3 * p)
        identityFields = buffer(Self.modes * 3 * p)
        offsets = buffer(3 * p)
        base = buffer(3 * p)
        fields = buffer(Self.fieldCount * 3 * p)
        attachment = buffer(p)
        rootWeight = buffer(p)
        observed = buffer(2 * p)
        jawDerivatives = buffer(6 * p)
        modelPoints = buffer(3 * p)
        cameraPoints = buffer(3 * p)
        headJacobian = buffer(6 * p)
        jacobian = buffer(Self.unknowns * 2 * p)
        residual = buffer(2 * p)
        normal = buffer(Self.unknowns * Self.unknowns + 8)  // + 8: SIMD8 reads of the last row's padded tail
        gradient = buffer(Self.unknowns + 8)
        reduced = buffer(Self.variables * Self.paddedVariables + 8)  // + 8: coordinate descent reads index v + 1
        reducedGradient = buffer(Self.paddedVariables + 8)
        poseCoupling = buffer(6 * Self.paddedVariables)
        step = buffer(Self.paddedVariables)
        collected = buffer(3 * p)
        weights = buffer(Self.paddedVariables)
        columnChunks = .allocate(capacity: Self.unknowns)
        columnChunks.initialize(repeating: UInt16((1 << Self.chunks) - 1), count: Self.unknowns)
        lower = buffer(Self.paddedVariables)
        upper = buffer(Self.paddedVariables)
        penalty = buffer(Self.paddedVariables)

        for k in 0 ..< 68 {
            let q = FaceModel.neutral[k]
            neutral[k] = q.x; neutral[p + k] = q.y; neutral[2 * p + k] = q.z
            attachment[k] = FaceModel.jawAttachment[k]
            rootWeight[k] = FaceModel.landmarkWeights[k].squareRoot()
        }
        for mode in FaceModel.IdentityMode.allCases {
            let field = FaceModel.identityField(mode)
            let target = identityFields + mode.rawValue * 3 * p
            for k in 0 ..< 68 { target[k] = field[k].x; target[p + k] = field[k].y; target[2 * p + k] = field[k].z }
        }
        loadFields(face: FaceModel.neutral)
        for v in 0 ..< Self.variables {
            lower[v] = (v == Self.lateralMouthIndex || v == Self.jawLateralIndex) ? -1 : 0
            upper[v] = 1
            penalty[v] = configuration.expressionRegularization
        }
        // Shapes that compete with more common ones for the same points get a stronger prior.
        for shape: ARKitBlendshape in [.mouthRollLower, .mouthRollUpper, .mouthShrugLower, .mouthClose, .mouthDimpleLeft,
                                       .mouthDimpleRight, .noseSneerLeft, .noseSneerRight] {
            penalty[Self.linearShapes.firstIndex(of: shape)!] = 3 * configuration.expressionRegularization
        }
        rebuildBase()
        if let parameters = configuration.weightSmoothing { weightFilter = OneEuroFilter(parameters: parameters) }
        if let parameters = configuration.poseSmoothing { poseFilter = OneEuroFilter(parameters: parameters) }
    }

    deinit {
        columnChunks.deallocate()
        for b in [neutral, identityFields, offsets, base, fields, attachment, rootWeight, observed, jawDerivatives,
                  modelPoints, cameraPoints, headJacobian, jacobian, residual, normal, gradient, reduced,
                  reducedGradient, poseCoupling, step, collected, weights, lower, upper, penalty] { b.deallocate() }
    }

    // MARK: Public control

    /// Forget the tracked face's pose and expression (call when the face is lost). The learned neutral and identity
    /// are kept: the next face is most likely the same user.
    public func reset() {
        poseInitialised = false
        for v in 0 ..< Self.variables { weights[v] = 0 }
        weightFilter?.reset()
        poseFilter?.reset()
    }

    /// Starts an explicit calibration: the next `calibrationSeconds` of frames are taken as the user's neutral face.
    public func beginCalibration() {
        calibrationStart = nil
        calibrationFrames = 0
        calibrationRequested = true
    }
    private var calibrationRequested = false

    public var calibrationState: CalibrationState {
        if calibrationRequested {
            guard let start = calibrationStart else { return .collecting(progress: 0) }
            let seconds = Double(lastTimestamp &- start) * 1e-9
            return .collecting(progress: Float(min(1, seconds / configuration.calibrationSeconds)))
        }
        return neutralLearned ? .calibrated : .uncalibrated
    }

    /// Current identity coefficients (one per `FaceModel.IdentityMode`, in standard deviations).
    public var identityCoefficients: [Float] { identity }

    // MARK: Solve

    /// Fits one frame. `landmarks` are dlib's 68 points in pixels of `image` (pixel centres at integer coordinates).
    public func solve(landmarks: FaceLandmarks, image: LumaImage, timestampNanoseconds: UInt64, into output: inout FaceSolverOutput) {
        let p = Self.points
        focal = configuration.focalLength(imageWidth: image.width)
        principal = SIMD2(Float(image.width - 1) * 0.5, Float(image.height - 1) * 0.5)
        landmarks.points.withUnsafeBufferPointer { points in
            for k in 0 ..< 68 { observed[k] = points[k].x; observed[p + k] = points[k].y }
        }
        let period = lastTimestamp == 0 || timestampNanoseconds <= lastTimestamp ? 1.0 / 30 : Double(timestampNanoseconds - lastTimestamp) * 1e-9
        lastTimestamp = timestampNanoseconds

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
        let error = linearise()
        let valid = translation.z > 50 && translation.z < 10_000 && error.isFinite && weights[0].isFinite
        output.flags = []
        if !valid {
            reset()
            output.weights = BlendshapeWeights()
            output.reprojectionErrorPixels = error
            output.calibration = calibrationState
            return
        }
        output.flags.insert(.poseValid)
        output.reprojectionErrorPixels = error

        // Neutral learning: explicit calibration, automatic warm-up, then slow adaptation on near-neutral frames.
        var maxWeight: Float = 0
        for v in 0 ..< Self.variables { maxWeight = max(maxWeight, abs(weights[v])) }
        var neutralRate: Float = 0, identityRate: Float = 0
        var collecting = false  // a fast phase that assumes the face is neutral
        if calibrationRequested {
            if calibrationStart == nil { calibrationStart = timestampNanoseconds }
            calibrationFrames += 1
            neutralRate = 1 / Float(calibrationFrames)
            collecting = true
        } else if configuration.automaticNeutralAdaptation {
            if firstTimestamp == nil { firstTimestamp = timestampNanoseconds }
            if !neutralLearned {
                // Warm-up: the first frame defines the neutral; later ones join the average unless they are clearly
                // an expression relative to it.
                if adaptationFrames == 0 || maxWeight < 0.35 {
                    adaptationFrames += 1
                    neutralRate = 1 / Float(adaptationFrames)
                    collecting = true
                }
            } else if maxWeight < 0.25 {
                neutralRate = Float(period / configuration.adaptationTimeConstantSeconds)
                identityRate = Float(period / configuration.identityTimeConstantSeconds)
            }
        } else if maxWeight < 0.25 {
            identityRate = Float(min(1, period / configuration.identityTimeConstantSeconds))
        }
        if collecting {
            // Identity from the expression-free residual (the face is assumed neutral); the personal offsets are
            // the mean of what the identity cannot explain, applied when the phase ends.
            if neutralRate == 1 {
                for i in 0 ..< 3 * Self.points { offsets[i] = 0 }
                rebuildBase()
            }
            for v in 0 ..< Self.variables { step[v] = weights[v]; weights[v] = 0 }  // `step` is free scratch here
            evaluate()
            linearise()
            updateIdentity(rate: max(neutralRate, 0.25))
            for v in 0 ..< Self.variables { weights[v] = step[v] }
            collectNeutral(rate: neutralRate)
        } else {
            if identityRate > 0 { updateIdentity(rate: identityRate) }
            if neutralRate > 0 { adaptNeutral(rate: neutralRate) }
        }

        // Gaze.
        var gazeWeights = (left: SIMD4<Float>.zero, right: SIMD4<Float>.zero)  // up, down, in, out
        if configuration.estimateGaze {
            gazeWeights = estimateGaze(image: image, landmarks: landmarks, neutralRate: neutralRate, output: &output)
        }

        // Finish calibration phases (one-off events: the fields are rebuilt on the learned face).
        if calibrationRequested, let start = calibrationStart,
           Double(timestampNanoseconds - start) * 1e-9 >= configuration.calibrationSeconds {
            calibrationRequested = false
            finishNeutral()
        } else if !calibrationRequested, configuration.automaticNeutralAdaptation, !neutralLearned, let first = firstTimestamp,
                  Double(timestampNanoseconds - first) * 1e-9 >= configuration.warmUpSeconds {
            finishNeutral()
        }
        if neutralLearned { output.flags.insert(.neutralLearned) }
        if calibrationRequested { output.flags.insert(.calibrating) }
        output.calibration = calibrationState

        // Weights in ARKit order.
        var values = SIMD64<Float>.zero
        for (v, shape) in Self.linearShapes.enumerated() { values[shape.rawValue] = weights[v] }
        let mouthLateral = weights[Self.lateralMouthIndex], jawLateral = weights[Self.jawLateralIndex]
        values[ARKitBlendshape.mouthLeft.rawValue] = max(0, mouthLateral)
        values[ARKitBlendshape.mouthRight.rawValue] = max(0, -mouthLateral)
        values[ARKitBlendshape.jawLeft.rawValue] = max(0, jawLateral)
        values[ARKitBlendshape.jawRight.rawValue] = max(0, -jawLateral)
        values[ARKitBlendshape.jawOpen.rawValue] = weights[Self.jawOpenIndex]
        // AU6 (cheek raiser) shows on the 68 points only as a raised lower lid, which eyeSquint already explains: it
        // is reported as the part of the lid raise that comes with a smile (a Duchenne smile raises both).
        values[ARKitBlendshape.cheekSquintLeft.rawValue] = min(values[ARKitBlendshape.eyeSquintLeft.rawValue],
                                                               values[ARKitBlendshape.mouthSmileLeft.rawValue])
        values[ARKitBlendshape.cheekSquintRight.rawValue] = min(values[ARKitBlendshape.eyeSquintRight.rawValue],
                                                                values[ARKitBlendshape.mouthSmileRight.rawValue])
        values[ARKitBlendshape.eyeLookUpLeft.rawValue] = gazeWeights.left[0]
        values[ARKitBlendshape.eyeLookDownLeft.rawValue] = gazeWeights.left[1]
        values[ARKitBlendshape.eyeLookInLeft.rawValue] = gazeWeights.left[2]
        values[ARKitBlendshape.eyeLookOutLeft.rawValue] = gazeWeights.left[3]
        values[ARKitBlendshape.eyeLookUpRight.rawValue] = gazeWeights.right[0]
        values[ARKitBlendshape.eyeLookDownRight.rawValue] = gazeWeights.right[1]
        values[ARKitBlendshape.eyeLookInRight.rawValue] = gazeWeights.right[2]
        values[ARKitBlendshape.eyeLookOutRight.rawValue] = gazeWeights.right[3]
        if weightFilter != nil { values = weightFilter!.filter(values, timestampNanoseconds: timestampNanoseconds) }
        values.replace(with: 0, where: values .< 0)
        values.replace(with: 1, where: values .> 1)
        var mask = SolvedShapes.trackedMask
        if !configuration.estimateGaze {
            for s in SolvedShapes.derived where s.name.hasPrefix("eyeLook") { mask &= ~(1 << UInt64(s.rawValue)) }
        }
        for lane in 0 ..< 64 where mask & (1 << UInt64(lane)) == 0 { values[lane] = 0 }
        output.weights.values = values
        output.weights.trackedMask = mask

        var pose = HeadPose(rotation: rotation, translation: translation)
        if poseFilter != nil {
            let r = rotation.rotationVector
            let raw = SIMD8<Float>(r.x, r.y, r.z, translation.x * 0.01, translation.y * 0.01, translation.z * 0.01, 0, 0)
            let smooth = poseFilter!.filter(raw, timestampNanoseconds: timestampNanoseconds)
            pose = HeadPose(rotation: Rotation3(rotationVector: SIMD3(smooth[0], smooth[1], smooth[2])),
                            translation: SIMD3(smooth[3], smooth[4], smooth[5]) * 100)
        }
        output.headPose = pose
    }

    // MARK: Model evaluation

    /// base = neutral + Σ identity·mode + offsets.
    private func rebuildBase() {
        let n = 3 * Self.points
        var i = 0
        while i < n {
            var v = load8(neutral, i) + load8(offsets, i)
            for m in 0 ..< Self.modes { v += identity[m] * load8(identityFields, m * n + i) }
            store8(base, i, v)
            i += 8
        }
        // Padding points sit at the origin, which is in front of the camera for any valid pose.
    }

    private func loadFields(face: [SIMD3<Float>]) {
        let p = Self.points
        for (v, shape) in (Self.linearShapes + [.mouthLeft]).enumerated() {
            let field = FaceModel.displacementField(shape, face: face)!
            let target = fields + v * 3 * p
            for k in 0 ..< 68 { target[k] = field[k].x; target[p + k] = field[k].y; target[2 * p + k] = field[k].z }
            columnChunks[6 + v] = chunkMask { c in (0 ..< 8).contains { 8 * c + $0 < 68 && field[8 * c + $0] != .zero } }
        }
        // The jaw's derivative directions are proportional to the attachment.
        let jaw = chunkMask { c in (0 ..< 8).contains { 8 * c + $0 < 68 && attachment[8 * c + $0] != 0 } }
        columnChunks[6 + Self.jawOpenIndex] = jaw
        columnChunks[6 + Self.jawLateralIndex] = jaw
    }

    private func chunkMask(_ nonZero: (Int) -> Bool) -> UInt16 {
        var mask: UInt16 = 0
        for c in 0 ..< Self.chunks where c * 8 < 68 && nonZero(c) { mask |= 1 << c }
        return mask
    }

    /// Model points in the head and camera frames at the current weights, plus the jaw's derivative directions.
    private func evaluate() {
        let p = Self.points
        let open = weights[Self.jawOpenIndex] * FaceModel.jawOpenMaxRadians
        let lateral = -weights[Self.jawLateralIndex] * FaceModel.jawLateralMaxRadians
        let pivot = FaceModel.jawPivot
        let r = rotation, t = translation
        for c in 0 ..< Self.chunks {
            let i = c * 8
            let a = load8(attachment, i)
            let vx = load8(base, i) - pivot.x, vy = load8(base, p + i) - pivot.y, vz = load8(base, 2 * p + i) - pivot.z
            let (sp, cp) = sinCos(a * lateral)
            let (sf, cf) = sinCos(a * open)
            let ux = vx * cp + vz * sp, uy = vy, uz = vz * cp - vx * sp
            let wy = uy * cf - uz * sf, wz = uy * sf + uz * cf
            // ∂/∂jawOpen = a·θmax·(e_x × w); ∂/∂jawLateral = −a·θmax·Rx(e_y × u).
            let kOpen = a * FaceModel.jawOpenMaxRadians
            store8(jawDerivatives, i, .zero)
            store8(jawDerivatives, p + i, -kOpen * wz)
            store8(jawDerivatives, 2 * p + i, kOpen * wy)
            let kLateral = -a * FaceModel.jawLateralMaxRadians
            store8(jawDerivatives, 3 * p + i, kLateral * uz)
            store8(jawDerivatives, 4 * p + i, kLateral * ux * sf)
            store8(jawDerivatives, 5 * p + i, -kLateral * ux * cf)
            var qx = ux + pivot.x, qy = wy + pivot.y, qz = wz + pivot.z
            for f in 0 ..< Self.fieldCount {
                let w = weights[f]
                if w == 0 { continue }
                let field = fields + f * 3 * p
                qx += w * load8(field, i); qy += w * load8(field, p + i); qz += w * load8(field, 2 * p + i)
            }
            store8(modelPoints, i, qx); store8(modelPoints, p + i, qy); store8(modelPoints, 2 * p + i, qz)
            store8(cameraPoints, i, r.c0.x * qx + r.c1.x * qy + r.c2.x * qz + t.x)
            store8(cameraPoints, p + i, r.c0.y * qx + r.c1.y * qy + r.c2.y * qz + t.y)
            store8(cameraPoints, 2 * p + i, r.c0.z * qx + r.c1.z * qy + r.c2.z * qz + t.z)
        }
    }

    /// Residuals (model − observed, in mm at the face's depth, weighted) and the head-frame projection Jacobians.
    /// Returns the RMS reprojection error in pixels.
    @discardableResult
    private func linearise() -> Float {
        let p = Self.points
        let r = rotation, t = translation
        let depthScale = t.z / focal  // mm per pixel at the face
        var squared = SIMD8<Float>.zero
        for c in 0 ..< Self.chunks {
            let i = c * 8
            let x = load8(cameraPoints, i), y = load8(cameraPoints, p + i), z = load8(cameraPoints, 2 * p + i)
            let inverseZ = 1 / z
            let pu = x * inverseZ, pv = y * inverseZ
            let sw = load8(rootWeight, i)
            let du = pu * focal + principal.x - load8(observed, i)
            let dv = pv * focal + principal.y - load8(observed, p + i)
            squared += (du * du + dv * dv) * (sw * sw)
            store8(residual, i, sw * du * depthScale)
            store8(residual, p + i, sw * dv * depthScale)
            let s = sw * t.z * inverseZ
            // ∂u/∂X = s(1, 0, −pu), ∂v/∂X = s(0, 1, −pv), carried into the head frame by Rᵀ.
            let jux = s, juz = -s * pu, jvy = s, jvz = -s * pv
            store8(headJacobian, i, r.c0.x * jux + r.c0.z * juz)
            store8(headJacobian, p + i, r.c1.x * jux + r.c1.z * juz)
            store8(headJacobian, 2 * p + i, r.c2.x * jux + r.c2.z * juz)
            store8(headJacobian, 3 * p + i, r.c0.y * jvy + r.c0.z * jvz)
            store8(headJacobian, 4 * p + i, r.c1.y * jvy + r.c1.z * jvz)
            store8(headJacobian, 5 * p + i, r.c2.y * jvy + r.c2.z * jvz)
        }
        return (squared.sum() / Self.totalLandmarkWeight).squareRoot()
    }

    /// Fills the Jacobian columns: rotation (3), translation (3), then every variable.
    private func buildJacobian() {
        linearise()
        let p = Self.points, rows = 2 * p
        let t = translation
        for c in 0 ..< Self.chunks {
            let i = c * 8
            let rx = load8(cameraPoints, i) - t.x, ry = load8(cameraPoints, p + i) - t.y, rz = load8(cameraPoints, 2 * p + i) - t.z
            let z = load8(cameraPoints, 2 * p + i)
            let sw = load8(rootWeight, i)
            let s = sw * t.z / z
            let pu = load8(cameraPoints, i) / z, pv = load8(cameraPoints, p + i) / z
            let jux = s, juz = -s * pu, jvy = s, jvz = -s * pv
            // ∂u/∂ω = (X − t) × ∂u/∂X (rotation increment applied in the camera frame).
            store8(jacobian, 0 * rows + i, ry * juz)
            store8(jacobian, 1 * rows + i, rz * jux - rx * juz)
            store8(jacobian, 2 * rows + i, -ry * jux)
            store8(jacobian, 0 * rows + p + i, ry * jvz - rz * jvy)
            store8(jacobian, 1 * rows + p + i, -rx * jvz)
            store8(jacobian, 2 * rows + p + i, rx * jvy)
            store8(jacobian, 3 * rows + i, jux); store8(jacobian, 3 * rows + p + i, .zero)
            store8(jacobian, 4 * rows + i, .zero); store8(jacobian, 4 * rows + p + i, jvy)
            store8(jacobian, 5 * rows + i, juz); store8(jacobian, 5 * rows + p + i, jvz)
            let hux = load8(headJacobian, i), huy = load8(headJacobian, p + i), huz = load8(headJacobian, 2 * p + i)
            let hvx = load8(headJacobian, 3 * p + i), hvy = load8(headJacobian, 4 * p + i), hvz = load8(headJacobian, 5 * p + i)
            for f in 0 ..< Self.fieldCount {
                let field = fields + f * 3 * p
                let dx = load8(field, i), dy = load8(field, p + i), dz = load8(field, 2 * p + i)
                store8(jacobian, (6 + f) * rows + i, hux * dx + huy * dy + huz * dz)
                store8(jacobian, (6 + f) * rows + p + i, hvx * dx + hvy * dy + hvz * dz)
            }
            for j in 0 ..< 2 {
                let d = jawDerivatives + j * 3 * p
                let dx = load8(d, i), dy = load8(d, p + i), dz = load8(d, 2 * p + i)
                store8(jacobian, (6 + Self.jawOpenIndex + j) * rows + i, hux * dx + huy * dy + huz * dz)
                store8(jacobian, (6 + Self.jawOpenIndex + j) * rows + p + i, hvx * dx + hvy * dy + hvz * dz)
            }
        }
    }

    /// One bounded Gauss–Newton step: normal equations, pose eliminated, weights by projected coordinate descent.
    private func solveStep() {
        let n = Self.unknowns, rows = 2 * Self.points, k = Self.variables, kp = Self.paddedVariables
        // Normal matrix JᵀJ and gradient Jᵀr over the point chunks where both columns can be non-zero (u rows, then
        // v rows, as a dense pass would add them: the skipped products are exact zeros).
        let p = Self.points, chunkMasks = columnChunks, residual = residual
        @inline(__always) func dot(_ x: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ mask: UInt16) -> Float {
            var acc = SIMD8<Float>.zero
            var bits = mask
            while bits != 0 { let i = 8 * bits.trailingZeroBitCount; acc += load8(x, i) * load8(y, i); bits &= bits &- 1 }
            bits = mask
            while bits != 0 { let i = p + 8 * bits.trailingZeroBitCount; acc += load8(x, i) * load8(y, i); bits &= bits &- 1 }
            return acc.sum()
        }
        for a in 0 ..< n {
            let ca = jacobian + a * rows, ma = chunkMasks[a]
            for b in a ..< n {
                let mask = ma & chunkMasks[b]
                let value = mask == 0 ? 0 : dot(ca, jacobian + b * rows, mask)
                normal[a * n + b] = value
                normal[b * n + a] = value
            }
            gradient[a] = dot(ca, residual, ma)
        }
        // Cholesky of the (slightly damped) 6×6 pose block.
        var l = (SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero)
        withUnsafeMutableBytes(of: &l) { raw in
            let chol = raw.baseAddress!.assumingMemoryBound(to: Float.self)  // row r at chol[8r]
            for r in 0 ..< 6 {
                for c in 0 ... r {
                    var sum = normal[r * n + c]
                    if r == c { sum += 1e-6 * sum + 1e-3 }
                    for m in 0 ..< c { sum -= chol[8 * r + m] * chol[8 * c + m] }
                    chol[8 * r + c] = r == c ? max(sum, 1e-9).squareRoot() : sum / chol[8 * c + c]
                }
            }
            // poseCoupling column v = App⁻¹·Apw[:, v]; column k = App⁻¹·g_p.
            func solve6(_ rhs: (Int) -> Float, into out: UnsafeMutablePointer<Float>, outStride: Int) {
                var y = SIMD8<Float>.zero
                for r in 0 ..< 6 {
                    var s = rhs(r)
                    for m in 0 ..< r { s -= chol[8 * r + m] * y[m] }
                    y[r] = s / chol[8 * r + r]
                }
                for r in stride(from: 5, through: 0, by: -1) {
                    var s = y[r]
                    for m in r + 1 ..< 6 { s -= chol[8 * m + r] * y[m] }
                    y[r] = s / chol[8 * r + r]
                }
                for r in 0 ..< 6 { out[r * outStride] = y[r] }
            }
            // The same substitutions for eight columns at a time (lane = column; padding lanes are never read).
            withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 6) { y in
                var v = 0
                while v < k {
                    for r in 0 ..< 6 {
                        var s = load8(normal, r * n + 6 + v)
                        for m in 0 ..< r { s -= SIMD8(repeating: chol[8 * r + m]) * y[m] }
                        y[r] = s / SIMD8(repeating: chol[8 * r + r])
                    }
                    for r in stride(from: 5, through: 0, by: -1) {
                        var s = y[r]
                        for m in r + 1 ..< 6 { s -= SIMD8(repeating: chol[8 * m + r]) * y[m] }
                        y[r] = s / SIMD8(repeating: chol[8 * r + r])
                    }
                    for r in 0 ..< 6 { store8(poseCoupling, r * kp + v, y[r]) }
                    v += 8
                }
            }
            var poseGradient = SIMD8<Float>.zero
            withUnsafeMutableBytes(of: &poseGradient) { g in
                solve6({ self.gradient[$0] }, into: g.baseAddress!.assumingMemoryBound(to: Float.self), outStride: 1)
            }
            // Reduced system H = Aww − Awp·App⁻¹·Apw + diag(λ + μ), c = g_w − Awp·App⁻¹·g_p + λ⊙w, eight rows a at a
            // time: Aww is symmetric, so column b of it is contiguous in row 6 + b of `normal`.
            let pc = poseCoupling
            for b in 0 ..< k {
                let column = reduced + b * kp
                let row = normal + (6 + b) * n + 6
                var a = 0
                while a < kp {
                    var value = load8(row, a)
                    for r in 0 ..< 6 { value -= load8(normal, r * n + 6 + a) * SIMD8(repeating: pc[r * kp + b]) }
                    store8(column, a, value)
                    a += 8
                }
                for a in k ..< kp { column[a] = 0 }
                column[b] += penalty[b] + 1e-3
            }
            var a = 0
            while a < kp {
                var value = load8(gradient, 6 + a) + load8(penalty, a) * load8(weights, a)
                for r in 0 ..< 6 { value -= load8(normal, r * n + 6 + a) * SIMD8(repeating: poseGradient[r]) }
                store8(reducedGradient, a, value)
                store8(step, a, .zero)
                a += 8
            }
            for a in k ..< kp { reducedGradient[a] = 0 }

            // Projected coordinate descent on ½ΔᵀHΔ + cᵀΔ with lower ≤ w + Δ ≤ upper (mouthClose ≤ jawOpen).
            let weights = weights, lower = lower, upper = upper, step = step, reducedGradient = reducedGradient
            let mouthClose = Self.mouthCloseIndex, jawOpen = Self.jawOpenIndex
            for _ in 0 ..< configuration.coordinateDescentSweeps {
                // A sweep that moves nothing leaves the state as it found it, so every later sweep would too.
                var moved = false
                // reducedGradient[v], carried from the previous coordinate's update as a scalar (the same sum the
                // vector update stores) so the dependency chain does not go through memory.
                var g = reducedGradient[0]
                for v in 0 ..< k {
                    let column = reduced + v * kp
                    var high = upper[v]
                    if v == mouthClose { high = min(high, weights[jawOpen] + step[jawOpen]) }
                    let current = step[v]
                    let proposed = min(max(current - g / column[v], lower[v] - weights[v]), max(high - weights[v], lower[v] - weights[v]))
                    let delta = proposed - current
                    if delta == 0 { g = reducedGradient[v + 1]; continue }
                    moved = true
                    step[v] = proposed
                    g = reducedGradient[v + 1] + delta * column[v + 1]
                    var i = 0
                    while i < kp { store8(reducedGradient, i, load8(reducedGradient, i) + delta * load8(column, i)); i += 8 }
                }
                if !moved { break }
            }
            // Back-substitute the pose: Δp = −App⁻¹(g_p + Apw·Δw).
            var deltaPose = -poseGradient
            for v in 0 ..< k where step[v] != 0 {
                for r in 0 ..< 6 { deltaPose[r] -= poseCoupling[r * kp + v] * step[v] }
            }
            for v in 0 ..< k { weights[v] = min(max(weights[v] + step[v], lower[v]), upper[v]) }
            let omega = SIMD3(deltaPose[0], deltaPose[1], deltaPose[2])
            let small = Rotation3(rotationVector: omega)
            rotation = (small * rotation).orthonormalised
            translation += SIMD3(deltaPose[3], deltaPose[4], deltaPose[5])
        }
    }

    // MARK: Pose initialisation

    /// A frontal guess from the landmarks: roll from the eye line, distance from the outer-canthus span.
    private func initialisePose() {
        let p = Self.points
        let outerRight = SIMD2(observed[36], observed[p + 36]), outerLeft = SIMD2(observed[45], observed[p + 45])
        let eyeLine = outerLeft - outerRight
        let span = max((eyeLine * eyeLine).sum().squareRoot(), 1)
        let roll = atan2f(eyeLine.y, eyeLine.x)
        rotation = Rotation3(rotationVector: SIMD3(0, 0, roll))
        let modelSpan = base[45] - base[36]
        let depth = focal * modelSpan / span
        var centre = SIMD2<Float>.zero, modelCentre = SIMD3<Float>.zero
        for k in 17 ..< 48 {
            centre += SIMD2(observed[k], observed[p + k])
            modelCentre += SIMD3(base[k], base[p + k], base[2 * p + k])
        }
        centre /= 31; modelCentre /= 31
        let rotatedCentre = rotation.apply(modelCentre)
        let ray = (centre - principal) / focal
        let centreDepth = depth + rotatedCentre.z
        translation = SIMD3(ray.x * centreDepth, ray.y * centreDepth, centreDepth) - rotatedCentre
        for v in 0 ..< Self.variables { weights[v] = 0 }
        poseInitialised = true
    }

    // MARK: Identity and neutral

    /// Moves the identity a fraction `rate` of the way to its regularised least-squares optimum given pose and
    /// weights (prior: each mode ~ N(0, 1), weight 2 mm² per unit²).
    private func updateIdentity(rate: Float) {
        let p = Self.points, m = Self.modes
        // Columns of ∂residual/∂identity (reuse the Jacobian buffer's first columns: the frame's fit is done).
        let rows = 2 * p
        for mode in 0 ..< m {
            let field = identityFields + mode * 3 * p
            for c in 0 ..< Self.chunks {
                let i = c * 8
                let dx = load8(field, i), dy = load8(field, p + i), dz = load8(field, 2 * p + i)
                store8(jacobian, mode * rows + i, load8(headJacobian, i) * dx + load8(headJacobian, p + i) * dy + load8(headJacobian, 2 * p + i) * dz)
                store8(jacobian, mode * rows + p + i, load8(headJacobian, 3 * p + i) * dx + load8(headJacobian, 4 * p + i) * dy + load8(headJacobian, 5 * p + i) * dz)
            }
        }
        var a = (SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero)
        var rhs = SIMD8<Float>.zero
        withUnsafeMutableBytes(of: &a) { raw in
            let h = raw.baseAddress!.assumingMemoryBound(to: Float.self)
            let prior: Float = 2
            for i in 0 ..< m {
                for j in 0 ..< m {
                    var acc = SIMD8<Float>.zero
                    var r = 0
                    while r < rows { acc += load8(jacobian + i * rows, r) * load8(jacobian + j * rows, r); r += 8 }
                    h[8 * i + j] = acc.sum() + (i == j ? prior : 0)
                }
                var acc = SIMD8<Float>.zero
                var r = 0
                while r < rows { acc += load8(jacobian + i * rows, r) * load8(residual, r); r += 8 }
                rhs[i] = -acc.sum() - prior * identity[i]
            }
            // Gaussian elimination (symmetric positive definite, no pivoting needed).
            for i in 0 ..< m {
                for r in i + 1 ..< m {
                    let f = h[8 * r + i] / h[8 * i + i]
                    for c in i ..< m { h[8 * r + c] -= f * h[8 * i + c] }
                    rhs[r] -= f * rhs[i]
                }
            }
            for i in stride(from: m - 1, through: 0, by: -1) {
                var s = rhs[i]
                for c in i + 1 ..< m { s -= h[8 * i + c] * rhs[c] }
                rhs[i] = s / h[8 * i + i]
            }
        }
        for i in 0 ..< m { identity[i] = min(3, max(-3, identity[i] + rate * rhs[i])) }
        rebuildBase()
    }

    /// Pulls the personal neutral toward this frame's expression-free shape (slow adaptation).
    private func adaptNeutral(rate: Float) {
        backProject(rate: rate, into: offsets, relativeToBase: true)
        rebuildBase()
    }

    /// Running mean of the neutral face in the head frame (calibration and warm-up).
    private func collectNeutral(rate: Float) {
        backProject(rate: rate, into: collected, relativeToBase: false)
    }

    /// target += rate·(landmarks back-projected into the head frame at the model points' depths − target), where
    /// the comparison is with the expression-free model (`relativeToBase`: target holds offsets from it).
    private func backProject(rate: Float, into target: UnsafeMutablePointer<Float>, relativeToBase: Bool) {
        let p = Self.points
        let r = rotation, t = translation
        for c in 0 ..< Self.chunks {
            let i = c * 8
            let bx = load8(base, i), by = load8(base, p + i), bz = load8(base, 2 * p + i)
            let x = r.c0.x * bx + r.c1.x * by + r.c2.x * bz + t.x
            let y = r.c0.y * bx + r.c1.y * by + r.c2.y * bz + t.y
            let z = r.c0.z * bx + r.c1.z * by + r.c2.z * bz + t.z
            let scale = z / focal
            let ex = (load8(observed, i) - principal.x) * scale - x
            let ey = (load8(observed, p + i) - principal.y) * scale - y
            var mask = load8(rootWeight, i)
            mask.replace(with: 1, where: mask .> 0)
            // The observed point in the head frame (the image says nothing about depth: it keeps the model's).
            var hx = r.c0.x * ex + r.c0.y * ey, hy = r.c1.x * ex + r.c1.y * ey, hz = r.c2.x * ex + r.c2.y * ey
            if !relativeToBase { hx += bx; hy += by; hz += bz }
            let rm = rate * mask
            // Offsets move by the residual; a mean of positions moves toward the new position.
            let ox = load8(target, i), oy = load8(target, p + i), oz = load8(target, 2 * p + i)
            store8(target, i, relativeToBase ? ox + rm * hx : ox + rm * (hx - ox))
            store8(target, p + i, relativeToBase ? oy + rm * hy : oy + rm * (hy - oy))
            store8(target, 2 * p + i, relativeToBase ? oz + rm * hz : oz + rm * (hz - oz))
        }
    }

    /// A neutral has been collected: rebuild the face-dependent fields (lids close onto this user's lower lid).
    private func finishNeutral() {
        neutralLearned = true
        let p = Self.points
        // Offsets = collected mean − (neutral + identity).
        for i in 0 ..< 3 * p { offsets[i] = 0 }
        rebuildBase()
        for i in 0 ..< 3 * p where rootWeight[i % p] > 0 { offsets[i] = collected[i] - base[i] }
        rebuildBase()
        let face = (0 ..< 68).map { k in SIMD3(base[k], base[p + k], base[2 * p + k]) }
        loadFields(face: face)
    }

    // MARK: Gaze

    /// ARKit eyeLook = 1 at this pupil offset (eye widths): ≈ 35° of eye rotation moves the iris 0.2 eye widths
    /// sideways. Vertically the lids cover the top and bottom of the iris, so the located centre moves only ≈ 40 %
    /// as far as the iris does (measured on synthetic eyes, test `gazeDirections`); 0.05 ≈ 25° up or down.
    static let gazeGain = SIMD2<Float>(0.20, 0.05)
    /// Below this lid opening (eye widths) the eye counts as closed and the pupil is not searched.
    static let closedAperture: Float = 0.12

    private func estimateGaze(image: LumaImage, landmarks: FaceLandmarks, neutralRate: Float,
                              output: inout FaceSolverOutput) -> (left: SIMD4<Float>, right: SIMD4<Float>) {
        let (leftResult, rightResult) = landmarks.points.withUnsafeBufferPointer { l in
            // Rings ordered from the head's −x corner to the +x corner (see PupilLocator.locate).
            let right = pupils.right.locate(in: image, ring: (l[36], l[37], l[38], l[39], l[40], l[41]))
            let left = pupils.left.locate(in: image, ring: (l[42], l[43], l[44], l[45], l[46], l[47]))
            return (left, right)
        }
        let blinkLeft = weights[Self.linearShapes.firstIndex(of: .eyeBlinkLeft)!]
        let blinkRight = weights[Self.linearShapes.firstIndex(of: .eyeBlinkRight)!]
        let leftOpen = leftResult.found && leftResult.aperture > Self.closedAperture && blinkLeft < 0.5
        let rightOpen = rightResult.found && rightResult.aperture > Self.closedAperture && blinkRight < 0.5
        if neutralRate > 0 {
            if leftOpen { gazeNeutral.left += (leftResult.offset - gazeNeutral.left) * neutralRate }
            if rightOpen { gazeNeutral.right += (rightResult.offset - gazeNeutral.right) * neutralRate }
        }
        if leftOpen { output.flags.insert(.gazeLeftValid) }
        if rightOpen { output.flags.insert(.gazeRightValid) }
        // Both eyes move together (conjugate gaze): two open eyes are averaged, which halves the pupil noise, and
        // one open eye speaks for both. While both are closed the gaze is suppressed: the last gaze is held.
        let leftGaze = leftResult.offset - gazeNeutral.left, rightGaze = rightResult.offset - gazeNeutral.right
        if leftOpen && rightOpen {
            let mean = (leftGaze + rightGaze) * 0.5
            lastGaze = (mean, mean)
        } else if leftOpen {
            lastGaze = (leftGaze, leftGaze)
        } else if rightOpen {
            lastGaze = (rightGaze, rightGaze)
        }
        let gaze = lastGaze
        output.gazeLeft = gaze.left
        output.gazeRight = gaze.right
        func look(_ g: SIMD2<Float>, outward: Float) -> SIMD4<Float> {
            let n = g / Self.gazeGain
            let h = n.x * outward
            var w = SIMD4<Float>(-n.y, n.y, -h, h)  // up, down, in, out
            w.replace(with: 0, where: w .< 0)
            w.replace(with: 1, where: w .> 1)
            return w
        }
        // The left eye looks out toward +x (the subject's left); the right eye looks out toward −x.
        return (look(gaze.left, outward: 1), look(gaze.right, outward: -1))
    }
}

// MARK: Small math

@inline(__always)
func sinCos(_ x: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>) {
    // Taylor series to x⁹/x⁸: error < 1e-7 for |x| ≤ 0.5 rad (jaw angles stay below 0.4).
    let x2 = x * x
    var s = SIMD8<Float>(repeating: 1.0 / 362_880)
    s = s * x2 + (-1.0 / 5040)
    s = s * x2 + (1.0 / 120)
    s = s * x2 + (-1.0 / 6)
    s = (s * x2 + 1) * x
    var c = SIMD8<Float>(repeating: 1.0 / 40320)
    c = c * x2 + (-1.0 / 720)
    c = c * x2 + (1.0 / 24)
    c = c * x2 - 0.5
    c = c * x2 + 1
    return (s, c)
}
