import OmoteCore

/// Tracking support: where to look for the face in the next frame, and whether the current fit is still a face.
extension ShapePredictor {
    /// Where dlib's HOG `frontal_face_detector` puts its square box relative to the bounding box (w × h, centre c) of
    /// the 68 landmarks it leads to: side = k·√(w·h), centre = c + (ax, ay)·side. Fitted on all 144 SampleFrames faces
    /// by `python3 Tools/reference/dlib/fit-tracking-rect.py` (side rms error 8.6 %, the HOG pyramid's 6/5 steps).
    static let trackingSideScale: Float = 1.0455
    static let trackingCenterOffset = SIMD2<Float>(-0.0220, -0.0864)

    /// The face box for the next frame: the box dlib's HOG detector would most likely report for these landmarks, which
    /// is the placement the landmark model was trained on. Fractional; pass it straight to `predict`.
    public func trackingRect(for landmarks: FaceLandmarks) -> FaceRect {
        var low = SIMD2<Float>(repeating: .infinity)
        var high = SIMD2<Float>(repeating: -.infinity)
        landmarks.withUnsafeBufferPointer { points in
            for point in points {
                low = pointwiseMin(low, point)
                high = pointwiseMax(high, point)
            }
        }
        let size = high - low
        let side = Self.trackingSideScale * (size.x * size.y).squareRoot()
        let center = (low + high) / 2 + Self.trackingCenterOffset * side
        // dlib's centre is (left + right) / 2 with an inclusive right edge: left = centre − (side − 1) / 2.
        return FaceRect(x: center.x - (side - 1) / 2, y: center.y - (side - 1) / 2, width: side, height: side)
    }

    /// Fits at or below this drift (as returned by `fitDrift`) are faces; `fitQuality` maps it to 0.5.
    public static let acceptableFitDrift: Float = 0.02

    /// How far the landmarks move when the model is run again from their own `trackingRect`, as the mean landmark
    /// displacement over the outer eye-corner distance (points 36–45). A fit on a face is a fixed point of
    /// predict → trackingRect → predict (≤ 0.013 on every SampleFrames face); on a drifted box or a non-face the
    /// landmarks follow the box instead (≥ 0.029 on non-face frames). Costs one more `predict`; allocates nothing.
    /// See Docs/landmarks.md for the validation.
    public func fitDrift(_ image: LumaImage, landmarks: FaceLandmarks) -> Float {
        let rect = trackingRect(for: landmarks)
        let box = NormalizedBox(rect)
        runCascade(image, box)
        let shape = self.shape.view
        return landmarks.withUnsafeBufferPointer { points -> Float in
            var total: Float = 0
            for part in 0 ..< FaceLandmarks.count {
                let again = box.toImage(shape[2 * part], shape[2 * part + 1])
                let gap = SIMD2<Float>(Float(again.x), Float(again.y)) - points[part]
                total += (gap * gap).sum().squareRoot()
            }
            let across = points[45] - points[36]
            let eyeSpan = (across * across).sum().squareRoot()
            guard eyeSpan > 0, total.isFinite else { return .infinity }
            return total / Float(FaceLandmarks.count) / eyeSpan
        }
    }

    /// A 0…1 score for the fit: 1 − drift / (2 · acceptableFitDrift), clamped. ≥ 0.5 means keep tracking; below,
    /// re-detect. (≥ 0.67 on every SampleFrames face from dlib's detector; ≤ 0.28 on non-face frames.)
    public func fitQuality(_ image: LumaImage, landmarks: FaceLandmarks) -> Float {
        let drift = fitDrift(image, landmarks: landmarks)
        return min(1, max(0, 1 - drift / (2 * Self.acceptableFitDrift)))
    }
}

/// The predictor as the tracker's fitter: fit, then score the fit with `fitQuality`.
extension ShapePredictor: LandmarkFitting {
    public func fitLandmarks(_ image: LumaImage, in rect: FaceRect, into landmarks: inout FaceLandmarks) -> Float {
        predict(image, in: rect, into: &landmarks)
        return fitQuality(image, landmarks: landmarks)
    }

    public func forgetFace() { wipe() }
}
