import OmoteCore

/// dlib's `rectangle(left, top, right, bottom)` has inclusive corners: a detection of `right − left + 1` pixels across.
/// `FaceRect` is `x, y, width, height` with an exclusive far edge, so
/// `FaceRect(x: left, y: top, width: right − left + 1, height: bottom − top + 1)` and back. The shape predictor maps its
/// normalized (0,0)…(1,1) box onto dlib's corners, i.e. onto `(x, y)…(x + width − 1, y + height − 1)`; with a
/// fractional `FaceRect` (a tracking box) it uses those fractional corners as they are.
extension FaceRect {
    public init(dlibLeft left: Int, top: Int, right: Int, bottom: Int) {
        self.init(x: Float(left), y: Float(top), width: Float(right - left + 1), height: Float(bottom - top + 1))
    }

    /// The nearest dlib rectangle (inclusive corners).
    public var dlibRectangle: (left: Int, top: Int, right: Int, bottom: Int) {
        let left = Int((x).rounded())
        let top = Int((y).rounded())
        return (left, top, left + Int(width.rounded()) - 1, top + Int(height.rounded()) - 1)
    }
}
