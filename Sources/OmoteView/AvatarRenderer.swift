import OmoteCore
import OmoteRig

/// The avatar window's CPU renderer: a fixed perspective camera framing head and shoulders, z-buffered, per-pixel
/// normals, perspective-correct bilinear base-colour textures, alpha cut-out and blending, Lambert / unlit / MToon
/// two-tone shading and MToon inverted-hull outlines.
///
/// Deferred: opaque and cut-out triangles (and outline hulls) are rasterised in SIMD8 spans into a G-buffer of depth
/// and triangle id, each drawn triangle leaving a record of its attribute planes, then every pixel is shaded once
/// from those, so shading costs follow pixels, not overdraw.
/// Blended surfaces are drawn afterwards, forward, depth-tested against the opaque ones.
///
/// The picture, the G-buffer and the per-frame vertex data show the tracked expression, so all of them are private
/// memory (`UniquePrivateArray`); the model's textures, colours and UVs are not. Steady-state frames allocate nothing.
public final class AvatarRenderer {
    public let model: RigModel
    public private(set) var width = 0
    public private(set) var height = 0
    /// Background, 0xAARRGGBB sRGB straight colour; alpha 0 = fully transparent (for an ARGB window).
    public var background: UInt32 = 0xFF00_FF00
    /// Time of the last render, ns (for the bench and the overlay).
    public private(set) var lastRenderNanoseconds: UInt64 = 0

    /// The picture: row-major, top row first, 0xAARRGGBB with premultiplied alpha, sRGB-encoded (X11's 32-bit
    /// ZPixmap on little-endian). Valid until the next resize.
    public var pixels: MemoryView<UInt32> { pixelStore.view }

    /// Direction towards the key light, model space (upper front, from the viewer's left), and the ambient share.
    package var lightDirection = SIMD3<Float>(-0.38, 0.5, 0.78)
    package var ambient: Float = 0.4
    /// Blended surfaces drawn one pixel at a time everywhere (the reference the tests hold the span path to).
    package var blendsPixelByPixel = false
    package private(set) var camera = PerspectiveCamera(eye: SIMD3(0, 0, 5), target: .zero, width: 1, height: 1)

    let scene: RenderScene
    let tables: ColorTables
    /// Rest-pose framing (model units), fitted once so the avatar does not zoom as it moves.
    let framing: CameraFraming

    // Per frame, private: transformed vertices (SoA: screen x, screen y relative to the picture's centre pixel,
    // 1/depth, negative behind the near plane), the same for the outline hull, the G-buffer and the picture.
    var screenX = UniquePrivateArray<Float>()
    var screenY = UniquePrivateArray<Float>()
    var inverseDepth = UniquePrivateArray<Float>()
    var outlineX = UniquePrivateArray<Float>()
    var outlineY = UniquePrivateArray<Float>()
    var outlineInverseDepth = UniquePrivateArray<Float>()
    /// Per triangle drawn this frame: UV area per pixel area (the mip level's input).
    var textureDensity = UniquePrivateArray<Float>()
    /// G-buffer rows are `gStride` (width rounded up to 8) long so SIMD8 spans never need a tail.
    var gStride = 0
    var depthStore = UniquePrivateArray<Float>()
    /// Per pixel: the index of the `TriangleRecord` drawn there (0, the zero record, when empty).
    var triangleStore = UniquePrivateArray<UInt32>()
    var recordStore = UniquePrivateArray<TriangleRecord>()
    /// Per 8×8 tile of the G-buffer (`gStride` / 8 tiles a row): see `buildTileDepth`.
    var tileDepthStore = UniquePrivateArray<Float>()
    var pixelStore = UniquePrivateArray<UInt32>()
    /// Where the last frame drew into the G-buffer (all of it after a resize): what the next one clears.
    var drawnRect = DrawnRect()

    /// Throws when the kernel refuses the private memory of the picture or the per-frame vertex data.
    public init(model: RigModel, width: Int, height: Int) throws(OmoteError) {
        self.model = model
        scene = RenderScene(model: model)
        tables = ColorTables()
        framing = CameraFraming(model: model)
        let n = model.vertexCount
        try screenX.resize(to: n, repeating: 0)
        try screenY.resize(to: n, repeating: 0)
        try inverseDepth.resize(to: n, repeating: -1)
        try textureDensity.resize(to: model.triangleCount, repeating: 0)
        try recordStore.resize(to: scene.recordCount + 1, repeating: .zero)
        if scene.hasOutlines {
            try outlineX.resize(to: n, repeating: 0)
            try outlineY.resize(to: n, repeating: 0)
            try outlineInverseDepth.resize(to: n, repeating: -1)
        }
        try resize(width: width, height: height)
    }

    /// Sizes the picture (the camera keeps its framing; the aspect follows). Throws when the kernel refuses the
    /// memory; the picture is then empty (0×0).
    public func resize(width: Int, height: Int) throws(OmoteError) {
        precondition(width >= 0 && height >= 0)
        guard width != self.width || height != self.height || pixelStore.count != width * height else { return }
        let stride = (width + 7) & ~7
        do throws(OmoteError) {
            try depthStore.resize(to: stride * height, repeating: 0)
            try tileDepthStore.resize(to: stride / 8 * ((height + 7) / 8), repeating: 0)
            try triangleStore.resize(to: stride * height, repeating: 0)
            try pixelStore.resize(to: width * height, repeating: 0)
        } catch {
            // Draw nothing rather than past the buffers.
            depthStore.removeAll()
            tileDepthStore.removeAll()
            triangleStore.removeAll()
            pixelStore.removeAll()
            self.width = 0
            self.height = 0
            gStride = 0
            throw error
        }
        self.width = width
        self.height = height
        gStride = stride
        drawnRect = .whole(width: width, height: height)
        camera = framing.camera(width: width, height: height)
    }

    /// Draws `state` (deformed from this renderer's model) over the background.
    public func render(_ state: RigState) throws(OmoteError) {
        let start = MonotonicClock.nanoseconds()
        defer { lastRenderNanoseconds = MonotonicClock.nanoseconds() &- start }
        precondition(state.model.vertexCount == model.vertexCount, "a state of this renderer's model")
        guard width > 0, height > 0 else { return }
        transformVertices(state)
        clearGBuffer(drawnRect)
        let frame = frameContext(state)
        var drawn = DrawnRect()
        for pass in scene.opaquePasses { drawn.include(rasterizeIntoGBuffer(pass, frame)) }
        if !scene.outlinePasses.isEmpty {
            buildTileDepth(frame, drawn: drawn)
            for pass in scene.outlinePasses { drawn.include(rasterizeIntoGBuffer(pass, frame)) }
        }
        drawnRect = drawn
        shadeGBuffer(frame, drawn: drawn)
        for pass in scene.blendPasses { drawBlended(pass, frame) }
    }
}
