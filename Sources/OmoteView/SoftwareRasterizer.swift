import OmoteCore

/// A triangle mesh lent to the rasteriser for one draw. Model space: +x right, +y up, +z towards the viewer.
public struct RasterMesh {
    public var positions: UnsafeBufferPointer<SIMD3<Float>>
    public var normals: UnsafeBufferPointer<SIMD3<Float>>
    /// Linear RGB in 0…1, one per vertex.
    public var colors: UnsafeBufferPointer<SIMD3<Float>>
    /// Three vertex indices per triangle, counter-clockwise when seen from the front (glTF's convention).
    public var indices: UnsafeBufferPointer<UInt32>

    public init(
        positions: UnsafeBufferPointer<SIMD3<Float>>, normals: UnsafeBufferPointer<SIMD3<Float>>,
        colors: UnsafeBufferPointer<SIMD3<Float>>, indices: UnsafeBufferPointer<UInt32>
    ) {
        precondition(normals.count == positions.count && colors.count == positions.count && indices.count % 3 == 0)
        self.positions = positions
        self.normals = normals
        self.colors = colors
        self.indices = indices
    }
}

/// An orthographic view: model point p lands at pixel `center + scale * (p.x, -p.y)` after `rotation`.
public struct RasterCamera: Sendable {
    /// Columns of the model → view rotation.
    public var rotation: Rotation3
    /// Model-space point shown at `screenCenter`.
    public var target: SIMD3<Float>
    public var screenCenter: SIMD2<Float>
    /// Pixels per model unit.
    public var scale: Float

    public init(
        rotation: Rotation3 = .identity,
        target: SIMD3<Float> = .zero, screenCenter: SIMD2<Float>, scale: Float
    ) {
        self.rotation = rotation
        self.target = target
        self.screenCenter = screenCenter
        self.scale = scale
    }

    /// A camera that fits the axis-aligned box `minimum…maximum` into a `width × height` picture with a margin.
    public static func fitting(
        minimum: SIMD3<Float>, maximum: SIMD3<Float>, width: Int, height: Int, margin: Float = 0.05
    ) -> RasterCamera {
        let extent = pointwiseMax(maximum - minimum, SIMD3(repeating: 1e-6))
        let usable = SIMD2(Float(width), Float(height)) * (1 - 2 * margin)
        let scale = min(usable.x / extent.x, usable.y / extent.y)
        return RasterCamera(
            target: (minimum + maximum) / 2, screenCenter: SIMD2(Float(width), Float(height)) / 2, scale: scale)
    }

    @inline(__always)
    func rotate(_ v: SIMD3<Float>) -> SIMD3<Float> { rotation.apply(v) }

    /// Screen x, y in pixels and depth (larger = nearer the viewer).
    @inline(__always)
    func project(_ p: SIMD3<Float>) -> SIMD3<Float> {
        let v = rotate(p - target)
        return SIMD3(screenCenter.x + scale * v.x, screenCenter.y - scale * v.y, v.z)
    }
}

/// A small z-buffered software rasteriser with Gouraud-shaded Lambert lighting, sized for a terminal (a few thousand
/// pixels). Buffers are kept between frames; drawing allocates only when the picture or mesh grows. The picture shows
/// the tracked expression, so every buffer is private memory (`UniquePrivateArray`: locked, undumpable, wiped on reuse).
public final class SoftwareRasterizer {
    public private(set) var width = 0
    public private(set) var height = 0
    private var colorStore = UniquePrivateArray<SIMD3<Float>>()
    private var depthStore = UniquePrivateArray<Float>()
    private var screen = UniquePrivateArray<SIMD3<Float>>()
    private var shading = UniquePrivateArray<SIMD3<Float>>()

    /// Row-major linear RGB (valid until the next `resize`).
    public var color: MemoryView<SIMD3<Float>> { colorStore.view }
    /// Row-major depth; `-infinity` where nothing was drawn (valid until the next `resize`).
    public var depth: MemoryView<Float> { depthStore.view }

    /// Direction towards the light in view space.
    public var lightDirection = SIMD3<Float>(0.35, 0.45, 0.82)
    public var ambient: Float = 0.35

    /// Throws when the kernel refuses the picture's private memory (a locked-memory limit).
    public init(width: Int, height: Int) throws(OmoteError) { try resize(width: width, height: height) }

    /// Sizes the picture. Throws when the kernel refuses the memory; the picture is then empty (0×0).
    public func resize(width: Int, height: Int) throws(OmoteError) {
        precondition(width >= 0 && height >= 0)
        guard width != self.width || height != self.height else { return }
        do throws(OmoteError) {
            try colorStore.resize(to: width * height, repeating: .zero)
            try depthStore.resize(to: width * height, repeating: -.infinity)
        } catch {
            // Draw nothing rather than past the buffers.
            colorStore.removeAll()
            depthStore.removeAll()
            self.width = 0
            self.height = 0
            throw error
        }
        self.width = width
        self.height = height
    }

    public func clear(background: SIMD3<Float>) {
        color.fill(with: background)
        depth.fill(with: -.infinity)
    }

    /// Pixels covered by the last draws (depth written).
    public var coveredPixelCount: Int { depth.reduce(0) { $0 + ($1 > -.infinity ? 1 : 0) } }

    /// Draws a mesh over what is there (z-buffered). Back faces are culled. Throws when a larger mesh needs more
    /// private memory than the kernel grants (nothing is drawn then).
    public func draw(_ mesh: RasterMesh, camera: RasterCamera) throws(OmoteError) {
        let vertexCount = mesh.positions.count
        if screen.count < vertexCount || shading.count < vertexCount {
            try screen.resize(to: vertexCount, repeating: .zero)
            try shading.resize(to: vertexCount, repeating: .zero)
        }
        let light = lightDirection / (lightDirection * lightDirection).sum().squareRoot()
        let ambient = self.ambient
        let screen = self.screen.view
        let shading = self.shading.view
        for i in 0 ..< vertexCount {
            screen[i] = camera.project(mesh.positions[i])
            let n = camera.rotate(mesh.normals[i])
            let length = (n * n).sum().squareRoot()
            let lambert = length > 0 ? max(0, (n * light).sum() / length) : 0
            shading[i] = mesh.colors[i] * min(1, ambient + (1 - ambient) * lambert)
        }
        let color = self.color
        let depth = self.depth
        var t = 0
        while t + 2 < mesh.indices.count {
            let a = Int(mesh.indices[t])
            let b = Int(mesh.indices[t + 1])
            let c = Int(mesh.indices[t + 2])
            t += 3
            guard a < vertexCount, b < vertexCount, c < vertexCount else { continue }
            fillTriangle(screen[a], screen[b], screen[c], shading[a], shading[b], shading[c], color, depth)
        }
    }

    @inline(__always)
    private func fillTriangle(
        _ p0: SIMD3<Float>, _ p1: SIMD3<Float>, _ p2: SIMD3<Float>,
        _ c0: SIMD3<Float>, _ c1: SIMD3<Float>, _ c2: SIMD3<Float>,
        _ color: MemoryView<SIMD3<Float>>, _ depth: MemoryView<Float>
    ) {
        // Screen y points down, so a front-facing (counter-clockwise in model space) triangle has negative area here.
        let area = (p1.x - p0.x) * (p2.y - p0.y) - (p1.y - p0.y) * (p2.x - p0.x)
        guard area < 0 else { return }
        let minX = max(0, Int((min(p0.x, p1.x, p2.x)).rounded(.down)))
        let maxX = min(width - 1, Int((max(p0.x, p1.x, p2.x)).rounded(.up)))
        let minY = max(0, Int((min(p0.y, p1.y, p2.y)).rounded(.down)))
        let maxY = min(height - 1, Int((max(p0.y, p1.y, p2.y)).rounded(.up)))
        guard minX <= maxX, minY <= maxY else { return }
        let inverseArea = 1 / area
        for y in minY ... maxY {
            let py = Float(y) + 0.5
            let row = y * width
            for x in minX ... maxX {
                let px = Float(x) + 0.5
                // Barycentric weights from edge functions; all ≥ 0 inside (top-left rule not needed at this size).
                let w0 = ((p2.x - p1.x) * (py - p1.y) - (p2.y - p1.y) * (px - p1.x)) * inverseArea
                let w1 = ((p0.x - p2.x) * (py - p2.y) - (p0.y - p2.y) * (px - p2.x)) * inverseArea
                let w2 = 1 - w0 - w1
                guard w0 >= 0, w1 >= 0, w2 >= 0 else { continue }
                let z = w0 * p0.z + w1 * p1.z + w2 * p2.z
                let index = row + x
                guard z > depth[index] else { continue }
                depth[index] = z
                color[index] = c0 * w0 + c1 * w1 + c2 * w2
            }
        }
    }
}
