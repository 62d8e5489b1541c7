import Foundation
import OmoteCore
import OmoteView
import Testing

/// A flat square facing the viewer (+z), centred at `center`, side `side`, one colour.
private func square(center: SIMD3<Float>, side: Float, color: SIMD3<Float>, indexOffset: UInt32 = 0)
    -> (positions: [SIMD3<Float>], normals: [SIMD3<Float>], colors: [SIMD3<Float>], indices: [UInt32])
{
    let h = side / 2
    let positions = [SIMD3(-h, -h, 0), SIMD3(h, -h, 0), SIMD3(h, h, 0), SIMD3(-h, h, 0)].map { $0 + center }
    let o = indexOffset
    return (
        positions, Array(repeating: SIMD3(0, 0, 1), count: 4), Array(repeating: color, count: 4),
        [o, o + 1, o + 2, o, o + 2, o + 3]
    )
}

private func draw(
    _ rasterizer: SoftwareRasterizer, positions: [SIMD3<Float>], normals: [SIMD3<Float>],
    colors: [SIMD3<Float>], indices: [UInt32], camera: RasterCamera
) throws {
    try positions.withUnsafeBufferPointer { p in
        try normals.withUnsafeBufferPointer { n in
            try colors.withUnsafeBufferPointer { c in
                try indices.withUnsafeBufferPointer { i in
                    try rasterizer.draw(RasterMesh(positions: p, normals: n, colors: c, indices: i), camera: camera)
                }
            }
        }
    }
}

/// A size×size picture cleared to black with a white square of side `side` drawn at its centre, 10 pixels per unit;
/// `indices` replaces the square's own (e.g. wound the other way).
private func drawnSquare(size: Int, side: Float, indices: [UInt32]? = nil) throws -> SoftwareRasterizer {
    let rasterizer = try SoftwareRasterizer(width: size, height: size)
    rasterizer.clear(background: .zero)
    let mesh = square(center: .zero, side: side, color: .one)
    try draw(
        rasterizer, positions: mesh.positions, normals: mesh.normals, colors: mesh.colors,
        indices: indices ?? mesh.indices,
        camera: RasterCamera(screenCenter: SIMD2(Float(size) / 2, Float(size) / 2), scale: 10))
    return rasterizer
}

@Suite struct SoftwareRasterizerTests {
    @Test("A square covers exactly its area in pixels")
    func coverage() throws {
        // 10 pixels per unit: the 2-unit square is 20×20 pixels centred in the picture.
        let rasterizer = try drawnSquare(size: 40, side: 2)
        #expect(rasterizer.coveredPixelCount == 400)
        #expect(rasterizer.depth[20 * 40 + 20] == 0)
        #expect(rasterizer.depth[5 * 40 + 5] == -.infinity)
    }

    @Test("The nearer surface wins regardless of draw order")
    func depthOrder() throws {
        let near = square(center: SIMD3(0, 0, 1), side: 2, color: SIMD3(1, 0, 0))
        let far = square(center: SIMD3(0.5, 0, -1), side: 2, color: SIMD3(0, 0, 1), indexOffset: 4)
        for nearFirst in [true, false] {
            let rasterizer = try SoftwareRasterizer(width: 40, height: 40)
            rasterizer.clear(background: .zero)
            let parts = nearFirst ? [near, far] : [far, near]
            try draw(
                rasterizer, positions: parts.flatMap(\.positions), normals: parts.flatMap(\.normals),
                colors: parts.flatMap(\.colors),
                indices: nearFirst
                    ? near.indices + far.indices : far.indices.map { $0 - 4 } + near.indices.map { $0 + 4 },
                camera: RasterCamera(screenCenter: SIMD2(20, 20), scale: 10))
            let overlap = rasterizer.color[20 * 40 + 22]
            #expect(overlap.x > 0 && overlap.z == 0, "the red near square covers the blue far one")
            let farOnly = rasterizer.color[20 * 40 + 33]
            #expect(farOnly.z > 0 && farOnly.x == 0, "the blue square shows where the red one does not reach")
        }
    }

    @Test("Back faces are culled")
    func backFaceCulling() throws {
        let rasterizer = try drawnSquare(size: 20, side: 1, indices: [0, 2, 1, 0, 3, 2])
        #expect(rasterizer.coveredPixelCount == 0)
    }

    @Test("A sphere's silhouette is a disc of the expected area, lit from the light side")
    func sphereSilhouette() throws {
        var positions: [SIMD3<Float>] = []
        var indices: [UInt32] = []
        let stacks = 24
        let slices = 48
        for i in 0 ... stacks {
            let theta = Float(i) / Float(stacks) * .pi
            for j in 0 ... slices {
                let phi = Float(j) / Float(slices) * 2 * .pi
                positions.append(SIMD3(sin(theta) * cos(phi), cos(theta), sin(theta) * sin(phi)))
            }
        }
        for i in 0 ..< stacks {
            for j in 0 ..< slices {
                let a = UInt32(i * (slices + 1) + j)
                let b = a + UInt32(slices + 1)
                indices += [a, a + 1, b, a + 1, b + 1, b]
            }
        }
        let rasterizer = try SoftwareRasterizer(width: 64, height: 64)
        rasterizer.clear(background: .zero)
        try draw(
            rasterizer, positions: positions, normals: positions,
            colors: Array(repeating: .one, count: positions.count),
            indices: indices, camera: RasterCamera(screenCenter: SIMD2(32, 32), scale: 20))
        let area = Float(rasterizer.coveredPixelCount)
        #expect(abs(area - .pi * 400) / (.pi * 400) < 0.03, "covered \(area) px")
        // Light comes from the upper right front: the upper-right of the disc is brighter than the lower-left.
        #expect(rasterizer.color[20 * 64 + 40].x > rasterizer.color[44 * 64 + 24].x)
    }
}

@Suite struct TerminalCanvasTests {
    @Test("Half-block pictures encode two pixel rows per text row with 24-bit colours")
    func halfBlocks() throws {
        var canvas = try TerminalCanvas()
        canvas.begin()
        canvas.drawPicture(
            [SIMD3(1, 0, 0), SIMD3(1, 0, 0), SIMD3(0, 0, 1), SIMD3(0, 0, 1)], width: 2, height: 2, row: 3, column: 5)
        canvas.end()
        let text = String(decoding: canvas.bytes.bytes, as: UTF8.self)
        #expect(text.contains("\u{1B}[4;6H"))
        #expect(text.contains("\u{1B}[38;2;255;0;0m\u{1B}[48;2;0;0;255m▀▀"), "repeated colours are not re-sent")
    }

    @Test("The panel shows state, pose, timings and the strongest shapes as bars")
    func panel() throws {
        var model = LiveViewModel()
        model.sourceName = "single_face"
        model.frame.tracking = .tracking(faceID: 1)
        model.frame.weights[.mouthSmileLeft] = 0.75
        model.frame.weights[.jawOpen] = 0.25
        model.frame.weights.trackedMask =
            (1 << UInt64(ARKitBlendshapeIndex.mouthSmileLeft)) | (1 << UInt64(ARKitBlendshapeIndex.jawOpen))
        model.frame.timings[.landmarks] = 123_000
        var canvas = try TerminalCanvas()
        canvas.begin()
        let geometry = LiveViewLayout.geometry(for: .init(columns: 100, rows: 30))
        LiveViewLayout.drawPanel(model, geometry: geometry, into: &canvas)
        let text = String(decoding: canvas.bytes.bytes, as: UTF8.self)
        #expect(text.contains("tracking (id 1)"))
        #expect(text.contains("landmarks"))
        #expect(text.contains("123 µs"))
        let smile = text.range(of: "mouthSmileLeft")!
        let jaw = text.range(of: "jawOpen")!
        #expect(smile.lowerBound < jaw.lowerBound, "strongest first")
        #expect(text.contains("0.75"))
        #expect(geometry.pictureWidth + geometry.panelWidth + 2 <= 100)
        #expect(text.contains("c calibrate"))
        #expect(!text.contains("calibration"), "no calibration line before one runs")
    }

    @Test("While calibrating, the panel shows the prompt and the time left, wrapped to the panel; then the outcome")
    func calibrationPrompt() throws {
        var model = LiveViewModel()
        model.frame.tracking = .tracking(faceID: 1)
        model.frame.calibration.step = .neutral
        model.frame.calibration.decisecondsLeft = 12
        let geometry = LiveViewLayout.geometry(for: .init(columns: 100, rows: 30))
        var canvas = try TerminalCanvas()
        canvas.begin()
        LiveViewLayout.drawPanel(model, geometry: geometry, into: &canvas)
        var text = String(decoding: canvas.bytes.bytes, as: UTF8.self)
        #expect(text.contains("calibration 1/6, 1.2 s: relax your face,"), "\(text)")
        #expect(text.contains("  mouth closed"), "the rest of the prompt on the next line")
        model.frame.calibration.step = nil
        model.frame.calibration.outcome = .calibrated
        canvas.begin()
        LiveViewLayout.drawPanel(model, geometry: geometry, into: &canvas)
        text = String(decoding: canvas.bytes.bytes, as: UTF8.self)
        #expect(text.contains("calibrated for this session (c to redo)"))
    }
}

private enum ARKitBlendshapeIndex {
    static let mouthSmileLeft = ARKitBlendshape.mouthSmileLeft.rawValue
    static let jawOpen = ARKitBlendshape.jawOpen.rawValue
}
