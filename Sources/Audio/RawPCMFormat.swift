// Description of headerless PCM (stdin pipes such as `arecord -f S16_LE -r 16000`), and its decoding.
import Foundation

/// Sample encodings accepted for raw PCM.
public enum PCMEncoding: String, CaseIterable, Codable, Sendable {
    case s16le, s24le, s32le, f32le, u8

    /// Bytes per sample.
    public var bytesPerSample: Int {
        switch self {
        case .s16le: return 2
        case .s24le: return 3
        case .f32le, .s32le: return 4
        case .u8: return 1
        }
    }

    /// Whether samples are floating point (and so may hold NaN or Inf).
    public var isFloat: Bool { self == .f32le }

    /// Decodes `count` little-endian samples from `bytes` into floats in [-1, 1).
    func decode(_ bytes: UnsafeRawBufferPointer, count: Int, into out: UnsafeMutablePointer<Float>) {
        switch self {
        case .s16le:
            for i in 0..<count {
                let v = Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))
                out[i] = Float(v) * (1.0 / 32768.0)
            }
        case .s24le:
            for i in 0..<count {
                let b0 = Int32(bytes[3 * i]), b1 = Int32(bytes[3 * i + 1]), b2 = Int32(Int8(bitPattern: bytes[3 * i + 2]))
                out[i] = Float(b0 | (b1 << 8) | (b2 << 16)) * (1.0 / 8388608.0)
            }
        case .s32le:
            for i in 0..<count {
                let v = Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))
                out[i] = Float(Double(v) * (1.0 / 2147483648.0))
            }
        case .f32le:
            for i in 0..<count {
                let bits = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
                out[i] = Float(bitPattern: bits)
            }
        case .u8:
            for i in 0..<count { out[i] = (Float(bytes[i]) - 128) * (1.0 / 128.0) }
        }
    }
}

/// Format of a headerless PCM stream.
public struct RawPCMFormat: Equatable, Sendable {
    public var encoding: PCMEncoding
    public var sampleRate: Int
    public var channels: Int

    public init(encoding: PCMEncoding = .s16le, sampleRate: Int = 16_000, channels: Int = 1) {
        self.encoding = encoding
        self.sampleRate = sampleRate
        self.channels = channels
    }

    /// Bytes in one frame (one sample of every channel).
    public var bytesPerFrame: Int { encoding.bytesPerSample * channels }

    /// Throws when the rate or the channel count is outside what Scribe accepts.
    public func validate(path: String) throws {
        guard (AudioLimits.minRate...AudioLimits.maxRate).contains(sampleRate) else {
            throw AudioError.badSampleRate(path: path, rate: sampleRate)
        }
        guard (1...AudioLimits.maxChannels).contains(channels) else {
            throw AudioError.badChannelCount(path: path, channels: channels)
        }
    }
}
