import OmoteCore

/// Builds one screen update for a 24-bit-colour terminal in a reusable byte buffer: pictures as half blocks ("▀" with
/// the upper pixel as foreground and the lower as background, so a cell shows two square-ish pixels) and text at
/// positions. Nothing is written anywhere by this type; the caller hands `bytes` to the terminal. The bytes (the
/// avatar's picture and the weights as text) live in private memory (a `UniquePrivateArray`): locked, undumpable,
/// wiped on every `begin`.
public struct TerminalCanvas: ~Copyable {
    public private(set) var bytes: UniquePrivateArray<UInt8>
    private var lastForeground: SIMD3<UInt8>?
    private var lastBackground: SIMD3<UInt8>?
    /// Why the canvas could not grow (a locked-memory limit), if it could not since the last `begin`: the update is
    /// then incomplete and must not be shown (drawing calls stay unthrowing so a layout reads as a layout).
    public private(set) var memoryError: OmoteError?

    /// Throws when the kernel refuses the first `reservingCapacity` bytes of private memory.
    public init(reservingCapacity: Int = 1 << 16) throws(OmoteError) {
        bytes = try UniquePrivateArray(capacity: reservingCapacity)
    }

    /// Starts a new update: keeps capacity, hides the cursor while drawing.
    public mutating func begin() {
        bytes.removeAll()
        memoryError = nil
        lastForeground = nil
        lastBackground = nil
        append("\u{1B}[?25l")
    }

    public mutating func end() { append("\u{1B}[0m") }

    public mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            do throws(OmoteError) { try bytes.append(contentsOf: utf8) } catch { memoryError = memoryError ?? error }
        }
    }

    public mutating func append(_ byte: UInt8) {
        do throws(OmoteError) { try bytes.append(byte) } catch { memoryError = memoryError ?? error }
    }

    public mutating func appendDecimal(_ value: Int) {
        var value = value
        if value < 0 {
            append(UInt8(ascii: "-"))
            value = -value
        }
        if value >= 10 { appendDecimal(value / 10) }
        append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    /// Moves the cursor to a 0-based cell.
    public mutating func move(row: Int, column: Int) {
        append("\u{1B}[")
        appendDecimal(row + 1)
        append(UInt8(ascii: ";"))
        appendDecimal(column + 1)
        append(UInt8(ascii: "H"))
    }

    public mutating func clearScreen() { append("\u{1B}[2J") }
    public mutating func resetStyle() {
        append("\u{1B}[0m")
        lastForeground = nil
        lastBackground = nil
    }

    public mutating func setForeground(_ rgb: SIMD3<UInt8>) {
        guard rgb != lastForeground else { return }
        lastForeground = rgb
        append("\u{1B}[38;2;")
        appendRGB(rgb)
    }

    public mutating func setBackground(_ rgb: SIMD3<UInt8>) {
        guard rgb != lastBackground else { return }
        lastBackground = rgb
        append("\u{1B}[48;2;")
        appendRGB(rgb)
    }

    private mutating func appendRGB(_ rgb: SIMD3<UInt8>) {
        appendDecimal(Int(rgb.x))
        append(UInt8(ascii: ";"))
        appendDecimal(Int(rgb.y))
        append(UInt8(ascii: ";"))
        appendDecimal(Int(rgb.z))
        append(UInt8(ascii: "m"))
    }

    /// Draws a row-major linear-RGB picture of `width × height` pixels (height even) at a cell, two pixel rows per
    /// text row.
    public mutating func drawPicture(_ pixels: [SIMD3<Float>], width: Int, height: Int, row: Int, column: Int) {
        pixels.withUnsafeBufferPointer { drawPicture($0, width: width, height: height, row: row, column: column) }
    }

    /// The same, from a picture in private memory (the rasteriser's).
    public mutating func drawPicture(
        _ pixels: MemoryView<SIMD3<Float>>, width: Int, height: Int, row: Int, column: Int
    ) {
        drawPicture(UnsafeBufferPointer(pixels.buffer), width: width, height: height, row: row, column: column)
    }

    public mutating func drawPicture(
        _ pixels: UnsafeBufferPointer<SIMD3<Float>>, width: Int, height: Int, row: Int, column: Int
    ) {
        precondition(pixels.count >= width * height)
        for cellRow in 0 ..< height / 2 {
            move(row: row + cellRow, column: column)
            for x in 0 ..< width {
                setForeground(Self.displayColor(pixels[(2 * cellRow) * width + x]))
                setBackground(Self.displayColor(pixels[(2 * cellRow + 1) * width + x]))
                append("▀")
            }
        }
        resetStyle()
    }

    /// Linear 0…1 → 8-bit sRGB-ish (gamma 1/2.2 approximated by a square root, plenty for a terminal).
    @inline(__always)
    public static func displayColor(_ linear: SIMD3<Float>) -> SIMD3<UInt8> {
        let clamped = linear.clamped(lowerBound: .zero, upperBound: .one)
        let encoded = SIMD3(clamped.x.squareRoot(), clamped.y.squareRoot(), clamped.z.squareRoot()) * 255 + 0.5
        return SIMD3(UInt8(encoded.x), UInt8(encoded.y), UInt8(encoded.z))
    }
}
