import OmoteCore

/// Draws short upper-case status text (tracking state, fps, render time) into a 0xAARRGGBB picture with a 5×7
/// bitmap font, scaled by whole pixels, on a dark plate so it reads over any avatar or key colour. Allocates nothing.
public enum OverlayText {
    /// Glyph rows for " 0-9 A-Z . : - / ( ) % ,", five bits each, the high bit the leftmost pixel.
    static let glyphs: [UInt8: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)] = [
        UInt8(ascii: "0"): (0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E),
        UInt8(ascii: "1"): (0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E),
        UInt8(ascii: "2"): (0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F),
        UInt8(ascii: "3"): (0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E),
        UInt8(ascii: "4"): (0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02),
        UInt8(ascii: "5"): (0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E),
        UInt8(ascii: "6"): (0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E),
        UInt8(ascii: "7"): (0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08),
        UInt8(ascii: "8"): (0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E),
        UInt8(ascii: "9"): (0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C),
        UInt8(ascii: "A"): (0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11),
        UInt8(ascii: "B"): (0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E),
        UInt8(ascii: "C"): (0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E),
        UInt8(ascii: "D"): (0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C),
        UInt8(ascii: "E"): (0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F),
        UInt8(ascii: "F"): (0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10),
        UInt8(ascii: "G"): (0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F),
        UInt8(ascii: "H"): (0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11),
        UInt8(ascii: "I"): (0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E),
        UInt8(ascii: "J"): (0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C),
        UInt8(ascii: "K"): (0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11),
        UInt8(ascii: "L"): (0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F),
        UInt8(ascii: "M"): (0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11),
        UInt8(ascii: "N"): (0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11),
        UInt8(ascii: "O"): (0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E),
        UInt8(ascii: "P"): (0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10),
        UInt8(ascii: "Q"): (0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D),
        UInt8(ascii: "R"): (0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11),
        UInt8(ascii: "S"): (0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E),
        UInt8(ascii: "T"): (0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04),
        UInt8(ascii: "U"): (0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E),
        UInt8(ascii: "V"): (0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04),
        UInt8(ascii: "W"): (0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A),
        UInt8(ascii: "X"): (0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11),
        UInt8(ascii: "Y"): (0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04),
        UInt8(ascii: "Z"): (0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F),
        UInt8(ascii: "."): (0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C),
        UInt8(ascii: ","): (0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08),
        UInt8(ascii: ":"): (0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00),
        UInt8(ascii: "-"): (0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00),
        UInt8(ascii: "/"): (0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00),
        UInt8(ascii: "("): (0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02),
        UInt8(ascii: ")"): (0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08),
        UInt8(ascii: "%"): (0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03),
    ]

    /// Glyph cell: 5 pixels and a gap wide, 7 and a gap tall (before `scale`).
    public static let cellWidth = 6
    public static let cellHeight = 9

    /// Draws `lines` (ASCII; lower case is shown upper case, other characters as blanks) from the top-left corner
    /// `origin` in pixels, `scale` screen pixels per font pixel, in `color` on a translucent dark plate.
    public static func draw(
        _ lines: [String], into pixels: MemoryView<UInt32>, width: Int, height: Int,
        origin: SIMD2<Int> = SIMD2(8, 8), scale: Int = 2, color: UInt32 = 0xFFF0_F0F0
    ) {
        precondition(pixels.count >= width * height)
        let columns = lines.reduce(0) { max($0, $1.utf8.count) }
        guard columns > 0 else { return }
        // The plate: the picture darkened to a third, opaque, one cell of margin.
        let plateLeft = max(0, origin.x - 4)
        let plateTop = max(0, origin.y - 4)
        let plateRight = min(width, origin.x + columns * cellWidth * scale + 4)
        let plateBottom = min(height, origin.y + lines.count * cellHeight * scale + 2)
        if plateLeft < plateRight {
            for y in plateTop ..< plateBottom {
                for x in plateLeft ..< plateRight {
                    let pixel = pixels[y * width + x]
                    pixels[y * width + x] = 0xFF00_0000 | ((pixel >> 2) & 0x3F_3F3F)
                }
            }
        }
        for (row, line) in lines.enumerated() {
            for (column, character) in line.utf8.enumerated() {
                let key = character >= UInt8(ascii: "a") && character <= UInt8(ascii: "z") ? character - 32 : character
                guard let glyph = glyphs[key] else { continue }
                let left = origin.x + column * cellWidth * scale
                let top = origin.y + row * cellHeight * scale
                withUnsafeBytes(of: glyph) { rows in
                    for (glyphRow, bits) in rows.enumerated() where bits != 0 {
                        for glyphColumn in 0 ..< 5 where bits & (0x10 >> UInt8(glyphColumn)) != 0 {
                            fill(
                                pixels, width: width, height: height, x: left + glyphColumn * scale,
                                y: top + glyphRow * scale, size: scale, color: color)
                        }
                    }
                }
            }
        }
    }

    private static func fill(
        _ pixels: MemoryView<UInt32>, width: Int, height: Int, x: Int, y: Int, size: Int, color: UInt32
    ) {
        for row in max(0, y) ..< min(height, y + size) {
            for column in max(0, x) ..< min(width, x + size) { pixels[row * width + column] = color }
        }
    }
}
