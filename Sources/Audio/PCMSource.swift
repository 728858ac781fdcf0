// The interface every audio reader implements: interleaved float frames at the source's own rate.
// Downmixing, resampling and validation happen above it, in AudioReader.

/// A source of interleaved float samples in [-1, 1] at its native rate and channel count.
public protocol PCMSource: AnyObject {
    /// Native sample rate in Hz.
    var sampleRate: Int { get }
    /// Channels per frame.
    var channels: Int { get }
    /// Whether the source's samples are floating point (and so can be NaN or Inf).
    var isFloat: Bool { get }
    /// Reads up to `maxFrames` frames into `buffer` (capacity ≥ maxFrames × channels).
    /// Returns the number of frames read; 0 means end of input.
    func read(into buffer: UnsafeMutablePointer<Float>, maxFrames: Int) throws -> Int
}
