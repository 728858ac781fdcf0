// Errors of the Audio target: every way a file or a stream can be unusable, with the path and a hint.
import Foundation

/// Why audio could not be read. Messages name the input and the problem in one line.
public enum AudioError: Error, CustomStringConvertible, Equatable {
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    case empty(path: String)
    case badSampleRate(path: String, rate: Int)
    case badChannelCount(path: String, channels: Int)
    case nonFiniteSample(path: String, index: Int, value: String)
    case partialSample(path: String, trailingBytes: Int, bytesPerFrame: Int)
    case readFailed(path: String, reason: String)
    case resampler(reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file"
        case .unreadable(let path, let reason):
            return "\(path): not a readable audio file (\(reason)); supported: WAV, FLAC, OGG, or raw PCM with --encoding/--rate/--channels"
        case .truncated(let path, let expected, let actual):
            return "\(path): truncated audio data: header announces \(expected) bytes of samples but only \(actual) are present"
        case .empty(let path):
            return "\(path): contains no audio samples (zero-length audio)"
        case .badSampleRate(let path, let rate):
            return "\(path): unsupported sample rate \(rate) Hz (expected \(AudioLimits.minRate)...\(AudioLimits.maxRate))"
        case .badChannelCount(let path, let channels):
            return "\(path): unsupported channel count \(channels) (expected 1...\(AudioLimits.maxChannels))"
        case .nonFiniteSample(let path, let index, let value):
            return "\(path): sample \(index) is \(value); audio must contain finite values"
        case .partialSample(let path, let trailing, let bytesPerFrame):
            return "\(path): stream ended mid-sample: \(trailing) trailing byte(s) do not make a whole frame of \(bytesPerFrame) bytes"
        case .readFailed(let path, let reason):
            return "\(path): read failed: \(reason)"
        case .resampler(let reason):
            return "resampler failed: \(reason)"
        }
    }
}

/// Accepted ranges for input formats.
public enum AudioLimits {
    public static let minRate = 1_000
    public static let maxRate = 768_000
    public static let maxChannels = 64
    /// The rate every model and the front end work at.
    public static let targetRate = 16_000
}
