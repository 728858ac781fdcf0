// The log-mel front end's settings, saved with every model. Defaults reproduce librosa's
// `melspectrogram` (see shared/reference/ref_params.json); `.kaldi` reproduces Kaldi-style fbank.
import Foundation

/// Analysis window shapes.
public enum WindowKind: String, Codable, Sendable, CaseIterable {
    /// Periodic Hann (librosa/scipy `hann`, `fftbins=True`).
    case hann
    /// Kaldi's Povey window: symmetric Hann raised to 0.85.
    case povey
    /// Symmetric Hamming (Kaldi `hamming`).
    case hamming
}

/// How mel bands are laid out.
public enum MelScale: String, Codable, Sendable, CaseIterable {
    /// Slaney's scale (linear below 1 kHz, logarithmic above), triangles in Hz (librosa default).
    case slaney
    /// HTK's 2595·log10(1 + f/700), triangles in Hz (librosa `htk=True`).
    case htk
    /// Kaldi's 1127·ln(1 + f/700), triangles in mel, Nyquist bin excluded.
    case kaldi
}

/// Filter normalization.
public enum MelNorm: String, Codable, Sendable, CaseIterable {
    /// Each triangle divided by its width in Hz (area normalization, librosa `norm="slaney"`).
    case slaney
    /// Peak 1.
    case none
}

/// Settings of the log-mel front end. Shapes: input [T_samples] at `sampleRate`, output [T_frames, nMels].
public struct FeatureConfig: Codable, Equatable, Sendable {
    public var sampleRate: Int = 16_000
    /// FFT size (zero-padded frame length).
    public var nFFT: Int = 512
    /// Window length in samples (25 ms).
    public var winLength: Int = 400
    /// Hop in samples (10 ms).
    public var hopLength: Int = 160
    public var nMels: Int = 80
    public var fMin: Double = 0
    /// Upper edge of the mel bands; nil means Nyquist.
    public var fMax: Double?
    public var window: WindowKind = .hann
    /// true: pad winLength/2 zeros at both ends, frame t centred on sample t·hop (librosa `center=True`);
    /// false: "snip edges", frame t starts at sample t·hop and only whole frames are kept (Kaldi).
    public var center: Bool = true
    /// Pre-emphasis coefficient applied within each frame (Kaldi 0.97); 0 turns it off.
    public var preemphasis: Float = 0
    /// Subtract each frame's mean before windowing (Kaldi).
    public var removeDCOffset: Bool = false
    public var melScale: MelScale = .slaney
    public var melNorm: MelNorm = .slaney
    /// Mel energies are floored here before the natural log.
    public var logFloor: Float = 1e-10
    /// Samples are multiplied by this first (Kaldi works on 16-bit integer scale: 32768).
    public var inputScale: Float = 1

    public init() {}

    // Key names round-trip through JSON's snake_case strategies (n_fft ↔ nFft, remove_dc_offset ↔ removeDcOffset).
    enum CodingKeys: String, CodingKey {
        case sampleRate, nFFT = "nFft", winLength, hopLength, nMels, fMin, fMax, window, center, preemphasis
        case removeDCOffset = "removeDcOffset", melScale, melNorm, logFloor, inputScale
    }

    /// librosa `melspectrogram(sr=16000, n_fft=512, win_length=400, hop_length=160, n_mels=80)` + log.
    public static let librosa = FeatureConfig()

    /// Kaldi fbank: Povey window, pre-emphasis 0.97, DC removal, snip edges, low 20 Hz, ×32768.
    public static var kaldi: FeatureConfig {
        var c = FeatureConfig()
        c.window = .povey
        c.center = false
        c.preemphasis = 0.97
        c.removeDCOffset = true
        c.melScale = .kaldi
        c.melNorm = .none
        c.fMin = 20
        c.logFloor = Float.ulpOfOne
        c.inputScale = 32768
        return c
    }

    /// Frames per second of audio.
    public var framesPerSecond: Double { Double(sampleRate) / Double(hopLength) }

    /// Number of frames for `samples` input samples.
    public func frameCount(samples: Int) -> Int {
        if center { return samples / hopLength + 1 }
        return samples < winLength ? 0 : (samples - winLength) / hopLength + 1
    }

    /// Throws `FeaturesError.badConfig` naming the field when the settings cannot work.
    public func validate() throws {
        func bad(_ field: String, _ why: String) -> FeaturesError { .badConfig(field: field, reason: why) }
        guard sampleRate > 0 else { throw bad("sample_rate", "must be positive, got \(sampleRate)") }
        guard nFFT >= 2, nFFT.nonzeroBitCount == 1 || nFFT % 2 == 0 else { throw bad("n_fft", "must be even, got \(nFFT)") }
        guard winLength > 0, winLength <= nFFT else { throw bad("win_length", "must be in 1...n_fft (\(nFFT)), got \(winLength)") }
        guard winLength % 2 == 0 || !center else { throw bad("win_length", "must be even when center is true") }
        guard hopLength > 0 else { throw bad("hop_length", "must be positive, got \(hopLength)") }
        guard nMels > 0 else { throw bad("n_mels", "must be positive, got \(nMels)") }
        let top = fMax ?? Double(sampleRate) / 2
        guard fMin >= 0, top > fMin, top <= Double(sampleRate) / 2 else {
            throw bad("f_max", "need 0 <= f_min < f_max <= sample_rate/2, got f_min \(fMin), f_max \(top)")
        }
        guard logFloor > 0 else { throw bad("log_floor", "must be positive, got \(logFloor)") }
    }
}
