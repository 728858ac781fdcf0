// PCM from a file descriptor (stdin pipes, raw files): headerless PCM in a given format, or a WAV stream
// recognised by its RIFF header. Reads incrementally, so memory stays flat however long the stream.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Set from a signal handler (SIGINT) to make blocked stream reads end as if the input had ended.
public enum InputInterrupt {
    nonisolated(unsafe) public static var requested = false
}

/// Reads PCM from a file descriptor in chunks.
public final class StreamSource: PCMSource {
    public let path: String
    public private(set) var sampleRate: Int
    public private(set) var channels: Int
    public var isFloat: Bool { format.encoding.isFloat }
    /// The format in effect (from the WAV header when one was found, else the one given).
    public private(set) var format: RawPCMFormat
    /// Whether a WAV header was found at the start of the stream.
    public private(set) var sawWAVHeader = false

    private let fd: Int32
    private let ownsFD: Bool
    private var pending = [UInt8]()      // bytes read but not yet decoded
    private var remainingData: Int?      // bytes left in the WAV data chunk, when the header says so
    private var eof = false

    /// Reads from `fd` (0 for stdin). `raw` is the format assumed when no WAV header is present.
    /// `path` names the input in messages ("-" for stdin).
    public init(fd: Int32, path: String, raw: RawPCMFormat, ownsFD: Bool = false, detectWAV: Bool = true) throws {
        self.fd = fd
        self.path = path
        self.ownsFD = ownsFD
        self.format = raw
        self.sampleRate = raw.sampleRate
        self.channels = raw.channels
        if detectWAV { try detectHeader() }
        try format.validate(path: path)
    }

    /// Opens a raw PCM file.
    public convenience init(rawFile path: String, format: RawPCMFormat) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw AudioError.fileNotFound(path: path) }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw AudioError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        try self.init(fd: fd, path: path, raw: format, ownsFD: true, detectWAV: false)
    }

    deinit { if ownsFD { close(fd) } }

    /// Appends up to `count` bytes from the descriptor to `pending`; returns the number appended (0 at EOF).
    private func fill(_ count: Int) throws -> Int {
        if eof { return 0 }
        var chunk = [UInt8](repeating: 0, count: count)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, count) }
            if n < 0 {
                if errno == EINTR {
                    if InputInterrupt.requested { eof = true; return 0 }
                    continue
                }
                throw AudioError.readFailed(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { eof = true }
            pending.append(contentsOf: chunk[0..<n])
            return n
        }
    }

    /// Makes sure `pending` holds at least `count` bytes; returns false at EOF before that.
    private func need(_ count: Int) throws -> Bool {
        while pending.count < count { if try fill(max(4096, count - pending.count)) == 0 { return false } }
        return true
    }

    private func u32(_ at: Int) -> Int {
        Int(UInt32(pending[at]) | UInt32(pending[at + 1]) << 8 | UInt32(pending[at + 2]) << 16 | UInt32(pending[at + 3]) << 24)
    }
    private func u16(_ at: Int) -> Int { Int(UInt16(pending[at]) | UInt16(pending[at + 1]) << 8) }

    /// Parses a RIFF/WAVE header if the stream starts with one; leaves `pending` at the first sample byte.
    private func detectHeader() throws {
        _ = try need(12)
        guard pending.count >= 4, pending[0..<4].elementsEqual("RIFF".utf8) else { return }
        guard pending.count >= 12, pending[8..<12].elementsEqual("WAVE".utf8) else {
            throw AudioError.unreadable(path: path, reason: "RIFF header cut short or not WAVE")
        }
        sawWAVHeader = true
        pending.removeFirst(12)
        var fmt: RawPCMFormat?
        while true {
            guard try need(8) else { throw AudioError.unreadable(path: path, reason: "WAV header truncated: no data chunk") }
            let id = String(decoding: pending[0..<4], as: UTF8.self)
            let size = u32(4)
            pending.removeFirst(8)
            if id == "data" {
                guard let fmt else { throw AudioError.unreadable(path: path, reason: "data chunk before fmt chunk") }
                format = fmt
                sampleRate = fmt.sampleRate
                channels = fmt.channels
                if size != 0 && size != 0xFFFF_FFFF && size < 0x7FFF_F000 { remainingData = size }
                return
            }
            let padded = size + (size & 1)
            guard try need(padded) else { throw AudioError.unreadable(path: path, reason: "WAV header truncated in '\(id)' chunk") }
            if id == "fmt " {
                guard size >= 16 else { throw AudioError.unreadable(path: path, reason: "fmt chunk too short") }
                var tag = u16(0)
                let ch = u16(2), rate = u32(4), bits = u16(14)
                if tag == 0xFFFE && size >= 26 { tag = u16(24) }  // WAVE_FORMAT_EXTENSIBLE: sub-format GUID
                let encoding: PCMEncoding
                switch (tag, bits) {
                case (1, 8): encoding = .u8
                case (1, 16): encoding = .s16le
                case (1, 24): encoding = .s24le
                case (1, 32): encoding = .s32le
                case (3, 32): encoding = .f32le
                default:
                    throw AudioError.unreadable(path: path, reason: "unsupported WAV stream encoding (format tag \(tag), \(bits) bits)")
                }
                fmt = RawPCMFormat(encoding: encoding, sampleRate: rate, channels: ch)
            }
            pending.removeFirst(padded)
        }
    }

    public func read(into buffer: UnsafeMutablePointer<Float>, maxFrames: Int) throws -> Int {
        let bpf = format.bytesPerFrame
        var wantBytes = maxFrames * bpf
        if let remaining = remainingData { wantBytes = min(wantBytes, remaining) }
        if wantBytes == 0 { return 0 }
        // One read takes what the pipe has; block further only until a whole frame is there,
        // so a live stream is passed on as it arrives.
        if pending.count < wantBytes { _ = try fill(wantBytes - pending.count) }
        while pending.count < bpf && !eof { _ = try fill(bpf) }
        var frames = min(pending.count, wantBytes) / bpf
        if frames == 0 {
            if !pending.isEmpty {
                throw AudioError.partialSample(path: path, trailingBytes: pending.count, bytesPerFrame: bpf)
            }
            return 0
        }
        frames = min(frames, maxFrames)
        let bytes = frames * bpf
        pending.withUnsafeBytes { raw in
            format.encoding.decode(UnsafeRawBufferPointer(rebasing: raw[0..<bytes]), count: frames * channels, into: buffer)
        }
        pending.removeFirst(bytes)
        if let remaining = remainingData { remainingData = remaining - bytes }
        return frames
    }
}
