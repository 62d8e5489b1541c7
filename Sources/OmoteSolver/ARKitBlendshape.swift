/// Apple ARKit's 52 face blendshapes, spelled exactly as ARKit's `ARFaceAnchor.BlendShapeLocation` raw values.
/// Order (the raw value) is alphabetical, the order MediaPipe's face blendshapes and most "Perfect Sync" tools use.
/// Left/Right follow ARKit: the user's own left, which appears on the right of an unmirrored camera image.
public enum ARKitBlendshape: Int, CaseIterable, Sendable, CustomStringConvertible {
    case browDownLeft, browDownRight, browInnerUp, browOuterUpLeft, browOuterUpRight
    case cheekPuff, cheekSquintLeft, cheekSquintRight
    case eyeBlinkLeft, eyeBlinkRight
    case eyeLookDownLeft, eyeLookDownRight, eyeLookInLeft, eyeLookInRight
    case eyeLookOutLeft, eyeLookOutRight, eyeLookUpLeft, eyeLookUpRight
    case eyeSquintLeft, eyeSquintRight, eyeWideLeft, eyeWideRight
    case jawForward, jawLeft, jawOpen, jawRight
    case mouthClose, mouthDimpleLeft, mouthDimpleRight, mouthFrownLeft, mouthFrownRight, mouthFunnel
    case mouthLeft, mouthLowerDownLeft, mouthLowerDownRight, mouthPressLeft, mouthPressRight, mouthPucker
    case mouthRight, mouthRollLower, mouthRollUpper, mouthShrugLower, mouthShrugUpper
    case mouthSmileLeft, mouthSmileRight, mouthStretchLeft, mouthStretchRight, mouthUpperUpLeft, mouthUpperUpRight
    case noseSneerLeft, noseSneerRight
    case tongueOut

    /// ARKit's spellings, indexed by raw value.
    public static let names: [String] = [
        "browDownLeft",
        "browDownRight",
        "browInnerUp",
        "browOuterUpLeft",
        "browOuterUpRight",
        "cheekPuff",
        "cheekSquintLeft",
        "cheekSquintRight",
        "eyeBlinkLeft",
        "eyeBlinkRight",
        "eyeLookDownLeft",
        "eyeLookDownRight",
        "eyeLookInLeft",
        "eyeLookInRight",
        "eyeLookOutLeft",
        "eyeLookOutRight",
        "eyeLookUpLeft",
        "eyeLookUpRight",
        "eyeSquintLeft",
        "eyeSquintRight",
        "eyeWideLeft",
        "eyeWideRight",
        "jawForward",
        "jawLeft",
        "jawOpen",
        "jawRight",
        "mouthClose",
        "mouthDimpleLeft",
        "mouthDimpleRight",
        "mouthFrownLeft",
        "mouthFrownRight",
        "mouthFunnel",
        "mouthLeft",
        "mouthLowerDownLeft",
        "mouthLowerDownRight",
        "mouthPressLeft",
        "mouthPressRight",
        "mouthPucker",
        "mouthRight",
        "mouthRollLower",
        "mouthRollUpper",
        "mouthShrugLower",
        "mouthShrugUpper",
        "mouthSmileLeft",
        "mouthSmileRight",
        "mouthStretchLeft",
        "mouthStretchRight",
        "mouthUpperUpLeft",
        "mouthUpperUpRight",
        "noseSneerLeft",
        "noseSneerRight",
        "tongueOut",
    ]

    /// ARKit's spelling, e.g. "eyeBlinkLeft".
    public var name: String { Self.names[rawValue] }
    public var description: String { name }

    /// Looks up a shape by its exact ARKit name.
    public init?(name: String) {
        guard let index = Self.names.firstIndex(of: name) else { return nil }
        self.init(rawValue: index)
    }
}

/// The 52 weights (0…1) in `ARKitBlendshape` order, held in one SIMD register-friendly value (no heap storage), plus
/// which shapes are actually tracked. Untracked shapes are 0 and flagged, never invented.
public struct BlendshapeWeights: Sendable, Equatable {
    public var values: SIMD64<Float> = .zero
    /// Bit i set ⇔ shape with raw value i is observed by the solver (not merely 0).
    public var trackedMask: UInt64 = 0

    public init() {}

    public subscript(shape: ARKitBlendshape) -> Float {
        get { values[shape.rawValue] }
        set { values[shape.rawValue] = newValue }
    }

    public func isTracked(_ shape: ARKitBlendshape) -> Bool { trackedMask & (1 << UInt64(shape.rawValue)) != 0 }
}

extension BlendshapeWeights: CustomStringConvertible {
    /// Redacted: expression data never reaches a log line.
    public var description: String { "BlendshapeWeights(52 values, redacted)" }
}

/// Head pose in the camera frame: rotation as a 3×3 matrix (columns) and translation in millimetres.
/// Camera convention: +x right, +y down, +z forward (into the scene), as for image coordinates.
public struct HeadPose: Sendable, Equatable {
    public var rotation: (SIMD3<Float>, SIMD3<Float>, SIMD3<Float>)
    public var translation: SIMD3<Float>

    public init(rotation: (SIMD3<Float>, SIMD3<Float>, SIMD3<Float>) = (SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1)),
                translation: SIMD3<Float> = SIMD3(0, 0, 600)) {
        self.rotation = rotation
        self.translation = translation
    }

    public static func == (a: HeadPose, b: HeadPose) -> Bool {
        a.rotation.0 == b.rotation.0 && a.rotation.1 == b.rotation.1 && a.rotation.2 == b.rotation.2 && a.translation == b.translation
    }

    /// Rotates a head-frame vector into the camera frame.
    @inline(__always)
    public func rotate(_ v: SIMD3<Float>) -> SIMD3<Float> { rotation.0 * v.x + rotation.1 * v.y + rotation.2 * v.z }
}

extension HeadPose: CustomStringConvertible {
    public var description: String { "HeadPose(redacted)" }
}
