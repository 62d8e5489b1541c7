import OmoteCore

/// Maps a cascade's face box to the box dlib's HOG detector reports for the same face, which is the placement the
/// 68-point model was trained on (fitting from a cascade box as-is moves the landmarks by several percent of the face).
/// side = `sideScale` · width; centre = box centre + `centerOffset` · width; square, dlib's inclusive-edge convention.
public struct BoxCalibration: Sendable, Equatable {
    public var sideScale: Float
    public var centerOffset: SIMD2<Float>

    public init(sideScale: Float, centerOffset: SIMD2<Float>) {
        self.sideScale = sideScale
        self.centerOffset = centerOffset
    }

    /// Leaves the box as it is.
    public static let identity = BoxCalibration(sideScale: 1, centerOffset: .zero)

    public func apply(to box: FaceRect) -> FaceRect {
        let side = sideScale * box.width
        let center = box.center + centerOffset * box.width
        return FaceRect(x: center.x - (side - 1) / 2, y: center.y - (side - 1) / 2, width: side, height: side)
    }

    /// Calibrations fitted on SampleFrames for the cascades Debian's `opencv-data` ships, by file name; nil for any
    /// other cascade. Fitted by `python3 Tools/reference/opencv/fit-box-calibration.py` (see Docs/detection.md).
    public static func forCascade(atPath path: String) -> BoxCalibration? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return fitted[name]
    }

    /// 144 faces each (all of single_face and face_noface's face frames); IoU of the mapped box with dlib's box:
    /// min 0.75, mean 0.84 for every cascade. The pyramid steps of both detectors (OpenCV 1.1, dlib 6/5) bound it.
    static let fitted: [String: BoxCalibration] = [
        "lbpcascade_frontalface_improved.xml": BoxCalibration(sideScale: 1.3153, centerOffset: SIMD2(-0.0405, 0.0097)),
        "haarcascade_frontalface_default.xml": BoxCalibration(sideScale: 0.8802, centerOffset: SIMD2(-0.0262, 0.0928)),
        "haarcascade_frontalface_alt2.xml": BoxCalibration(sideScale: 0.8720, centerOffset: SIMD2(-0.0293, 0.0886)),
    ]
}
