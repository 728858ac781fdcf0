// A minimal PNG writer (8-bit RGB, zlib "stored" blocks, CRC-32 and Adler-32 by hand) so pictures need no
// image library: attention heatmaps from `scribe align`.
import Foundation

struct PNGImage {
    let width: Int, height: Int
    var pixels: [UInt8]   // RGB, row-major

    init(width: Int, height: Int) {
        self.width = width; self.height = height
        pixels = [UInt8](repeating: 255, count: width * height * 3)
    }

    mutating func set(_ x: Int, _ y: Int, _ rgb: (UInt8, UInt8, UInt8)) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let o = (y * width + x) * 3
        pixels[o] = rgb.0; pixels[o + 1] = rgb.1; pixels[o + 2] = rgb.2
    }

    func encoded() -> Data {
        var raw = [UInt8]()
        raw.reserveCapacity(height * (width * 3 + 1))
        for y in 0..<height { raw.append(0); raw += pixels[(y * width * 3)..<((y + 1) * width * 3)] }
        var z: [UInt8] = [0x78, 0x01]
        var i = 0
        repeat {
            let n = min(65_535, raw.count - i)
            z.append(i + n == raw.count ? 1 : 0)
            z += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            z += raw[i..<(i + n)]
            i += n
        } while i < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw { a = (a + UInt32(byte)) % 65_521; b = (b + a) % 65_521 }
        z += be32((b << 16) | a)
        var out = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        out += chunk("IHDR", be32(UInt32(width)) + be32(UInt32(height)) + [8, 2, 0, 0, 0])
        out += chunk("IDAT", z)
        out += chunk("IEND", [])
        return out
    }

    private func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    private func chunk(_ type: String, _ body: [UInt8]) -> Data {
        let typed = Array(type.utf8) + body
        return Data(be32(UInt32(body.count)) + typed + be32(Self.crc32(typed)))
    }

    static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    /// A perceptual dark-blue → yellow ramp for v in [0, 1].
    static func heat(_ v: Float) -> (UInt8, UInt8, UInt8) {
        let x = max(0, min(1, v))
        let r = UInt8(255 * min(1, max(0, 1.8 * x - 0.5)))
        let g = UInt8(255 * min(1, max(0, 1.2 * x)))
        let b = UInt8(255 * min(1, max(0, 0.55 + 0.8 * x - 1.6 * x * x)))
        return (r, g, b)
    }
}
