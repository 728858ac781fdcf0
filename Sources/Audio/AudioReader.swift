// The one way Scribe reads audio: a file (libsndfile), a raw PCM file, or stdin ("-"), delivered as
// 16 kHz mono float chunks: downmixed, resampled with libsoxr, and checked for NaN/Inf and emptiness.
import Foundation

/// Reads any supported input as 16 kHz mono float chunks; memory stays flat however long the input.
///
/// ```swift
/// let reader = try AudioReader(path: "speech.flac")
/// while let chunk = try reader.nextChunk() { ... }   // [T] samples at 16 kHz
/// ```
public final class AudioReader {
    /// The input's name as given ("-" for stdin).
    public let path: String
    /// The underlying source at its native rate.
    public let source: PCMSource
    /// Output rate (16 kHz).
    public let outputRate: Int
    /// Native frames read so far.
    public private(set) var inputFrames = 0
    /// Output samples delivered so far.
    public private(set) var outputSamples = 0

    private let resampler: Resampler?
    private let chunkFrames: Int
    private var interleaved: [Float]
    private var finished = false

    /// Opens `path`. `"-"` reads stdin: a WAV stream is recognised by its header, otherwise it is raw PCM
    /// in `raw` (default s16le, 16 kHz, mono). A file is read with libsndfile unless `raw` is given, in
    /// which case it is taken as headerless PCM.
    public init(path: String, raw: RawPCMFormat? = nil, outputRate: Int = AudioLimits.targetRate,
                chunkFrames: Int = 4096) throws {
        self.path = path
        self.outputRate = outputRate
        self.chunkFrames = chunkFrames
        if path == "-" {
            source = try StreamSource(fd: 0, path: "stdin", raw: raw ?? RawPCMFormat())
        } else if let raw {
            try raw.validate(path: path)
            source = try StreamSource(rawFile: path, format: raw)
        } else {
            source = try SndfileSource(path: path)
        }
        resampler = source.sampleRate == outputRate ? nil : try Resampler(inputRate: source.sampleRate, outputRate: outputRate)
        interleaved = [Float](repeating: 0, count: chunkFrames * source.channels)
    }

    /// The next chunk of 16 kHz mono samples, or nil at the end. Chunks may be empty while the resampler
    /// fills its pipeline; callers just loop until nil.
    public func nextChunk() throws -> [Float]? {
        if finished { return nil }
        let channels = source.channels
        let frames = try interleaved.withUnsafeMutableBufferPointer { try source.read(into: $0.baseAddress!, maxFrames: chunkFrames) }
        if frames == 0 {
            finished = true
            if inputFrames == 0 { throw AudioError.empty(path: path) }
            guard let resampler else { return nil }
            let tail = try resampler.process(UnsafeBufferPointer(start: nil, count: 0), flush: true)
            outputSamples += tail.count
            return tail.isEmpty ? nil : tail
        }
        var mono = [Float](repeating: 0, count: frames)
        try interleaved.withUnsafeBufferPointer { src in
            if source.isFloat {
                for i in 0..<(frames * channels) where !src[i].isFinite {
                    let value = src[i].isNaN ? "NaN" : (src[i] > 0 ? "+Inf" : "-Inf")
                    throw AudioError.nonFiniteSample(path: path, index: inputFrames * channels + i, value: value)
                }
            }
            if channels == 1 {
                for i in 0..<frames { mono[i] = src[i] }
            } else {
                let scale = 1 / Float(channels)
                for i in 0..<frames {
                    var sum: Float = 0
                    for c in 0..<channels { sum += src[i * channels + c] }
                    mono[i] = sum * scale
                }
            }
        }
        inputFrames += frames
        if let resampler {
            mono = try mono.withUnsafeBufferPointer { try resampler.process($0) }
        }
        outputSamples += mono.count
        return mono
    }

    /// Reads the whole input into memory (16 kHz mono).
    public func readAll() throws -> [Float] {
        var all = [Float]()
        while let chunk = try nextChunk() { all.append(contentsOf: chunk) }
        return all
    }

    /// Convenience: reads the whole of `path` as 16 kHz mono.
    public static func load(_ path: String, raw: RawPCMFormat? = nil) throws -> [Float] {
        try AudioReader(path: path, raw: raw).readAll()
    }
}
