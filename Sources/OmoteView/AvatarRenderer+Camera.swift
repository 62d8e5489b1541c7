import OmoteCore
import OmoteRig

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pinhole camera. Screen coordinates are pixels relative to the centre pixel (`originX`, `originY`): column x,
/// row y has its centre at (x − originX, y − originY), y down.
package struct PerspectiveCamera: Sendable {
    package var eye: SIMD3<Float>
    package var right: SIMD3<Float>
    package var up: SIMD3<Float>
    package var forward: SIMD3<Float>
    /// Pixels per unit at depth 1 (the same for x and y: square pixels, the aspect follows the picture).
    package var focal: Float
    package var originX: Float
    package var originY: Float
    /// Where the picture's optical centre lands in screen coordinates (half a pixel off for even sizes).
    package var centreX: Float
    package var centreY: Float
    /// Vertices nearer than this are dropped with their triangles (never divided by).
    package var near: Float = 0.05

    package init(
        eye: SIMD3<Float>, target: SIMD3<Float>, width: Int, height: Int, verticalFieldOfView: Float = 27 * .pi / 180
    ) {
        self.eye = eye
        let f = target - eye
        forward = f / (f * f).sum().squareRoot()
        let worldUp = SIMD3<Float>(0, 1, 0)
        var r = SIMD3(
            forward.y * worldUp.z - forward.z * worldUp.y, forward.z * worldUp.x - forward.x * worldUp.z,
            forward.x * worldUp.y - forward.y * worldUp.x)
        r /= (r * r).sum().squareRoot()
        right = r
        up = SIMD3(
            r.y * forward.z - r.z * forward.y, r.z * forward.x - r.x * forward.z, r.x * forward.y - r.y * forward.x)
        focal = Float(max(1, height)) / 2 / tanf(verticalFieldOfView / 2)
        originX = Float(width / 2)
        originY = Float(height / 2)
        centreX = Float(width) / 2 - 0.5 - originX
        centreY = Float(height) / 2 - 0.5 - originY
    }

    /// Screen x, y (see above) and 1/depth of a model-space point; 1/depth is −1 behind the near plane.
    @inline(__always)
    package func project(_ p: SIMD3<Float>) -> SIMD3<Float> {
        let v = p - eye
        let depth = (v * forward).sum()
        guard depth > near else { return SIMD3(0, 0, -1) }
        let w = 1 / depth
        return SIMD3(centreX + focal * (v * right).sum() * w, centreY - focal * (v * up).sum() * w, w)
    }
}

/// The fixed head-and-shoulders framing, fitted once to the rest pose: looks straight on at the head's centre a
/// little lowered, from far enough that about 2.3 head heights fit vertically at a 27° field of view.
struct CameraFraming {
    static let verticalFieldOfView: Float = 27 * .pi / 180
    static let visibleHeadHeights: Float = 2.3

    var target: SIMD3<Float>
    var distance: Float

    init(model: RigModel) {
        // Model space puts the head's centre at the origin and makes the head about one unit tall; only x is taken
        // from the mesh, so an asymmetric hairstyle does not shift the view.
        var low = Float.infinity
        var high = -Float.infinity
        for p in model.positions where p.y > -0.5 && p.y < 0.5 {
            low = min(low, p.x)
            high = max(high, p.x)
        }
        let centreX = low <= high ? (low + high) / 2 : 0
        target = SIMD3(centreX, -0.35, 0)
        distance = Self.visibleHeadHeights / 2 / tanf(Self.verticalFieldOfView / 2)
    }

    func camera(width: Int, height: Int) -> PerspectiveCamera {
        PerspectiveCamera(
            eye: target + SIMD3(0, 0, distance), target: target, width: width, height: height,
            verticalFieldOfView: Self.verticalFieldOfView)
    }
}

extension AvatarRenderer {
    /// Projects every vertex of `state` (and, for outlines, every vertex pushed out along its normal) into the
    /// per-frame SoA buffers.
    func transformVertices(_ state: RigState) {
        let camera = self.camera
        let positions = state.positions
        let normals = state.normals
        let x = screenX.view
        let y = screenY.view
        let w = inverseDepth.view
        for i in 0 ..< positions.count {
            let s = camera.project(positions[i])
            x[i] = s.x
            y[i] = s.y
            w[i] = s.z
        }
        guard scene.hasOutlines else { return }
        let widths = scene.outlineWidths.view
        let ox = outlineX.view
        let oy = outlineY.view
        let ow = outlineInverseDepth.view
        for i in 0 ..< positions.count {
            let n = normals[i]
            let length = (n * n).sum().squareRoot()
            let push = length > 0 ? widths[i] / length : 0
            let s = camera.project(positions[i] + n * push)
            ox[i] = s.x
            oy[i] = s.y
            ow[i] = s.z
        }
    }
}
