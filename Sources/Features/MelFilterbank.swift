// Mel filterbanks stored sparsely (first bin + weights per band): librosa's Slaney/HTK construction and
// Kaldi's triangles-in-mel construction. Built in Float64, applied in Float32.
import Foundation

/// A [nMels, nFFT/2+1] filterbank in sparse form.
public struct MelFilterbank: Sendable {
    public let nMels: Int
    public let nBins: Int
    /// First FFT bin with a nonzero weight, per band.
    public let start: [Int]
    /// Nonzero weights per band, from `start[m]` on.
    public let weights: [[Float]]

    public init(config c: FeatureConfig) {
        let nBins = c.nFFT / 2 + 1
        let fMax = c.fMax ?? Double(c.sampleRate) / 2
        var dense = [[Double]](repeating: [Double](repeating: 0, count: nBins), count: c.nMels)
        let binHz = Double(c.sampleRate) / Double(c.nFFT)
        switch c.melScale {
        case .slaney, .htk:
            let htk = c.melScale == .htk
            let lo = Self.hzToMel(c.fMin, htk: htk), hi = Self.hzToMel(fMax, htk: htk)
            let melF = (0..<(c.nMels + 2)).map { Self.melToHz(lo + (hi - lo) * Double($0) / Double(c.nMels + 1), htk: htk) }
            for m in 0..<c.nMels {
                let lower = melF[m], center = melF[m + 1], upper = melF[m + 2]
                for k in 0..<nBins {
                    let f = Double(k) * binHz
                    let up = (f - lower) / (center - lower)
                    let down = (upper - f) / (upper - center)
                    dense[m][k] = max(0, min(up, down))
                }
                if c.melNorm == .slaney {
                    let enorm = 2 / (upper - lower)
                    for k in 0..<nBins { dense[m][k] *= enorm }
                }
            }
        case .kaldi:
            func mel(_ f: Double) -> Double { 1127 * log(1 + f / 700) }
            let lo = mel(c.fMin), hi = mel(fMax)
            let delta = (hi - lo) / Double(c.nMels + 1)
            for m in 0..<c.nMels {
                let left = lo + Double(m) * delta, center = left + delta, right = center + delta
                for k in 0..<(c.nFFT / 2) {  // Kaldi leaves out the Nyquist bin
                    let x = mel(Double(k) * binHz)
                    guard x > left, x < right else { continue }
                    dense[m][k] = x <= center ? (x - left) / (center - left) : (right - x) / (right - center)
                }
                if c.melNorm == .slaney {
                    let width = 700 * (exp(right / 1127) - exp(left / 1127))
                    for k in 0..<nBins { dense[m][k] *= 2 / width }
                }
            }
        }
        self.init(dense: dense)
    }

    /// Builds the sparse form of a dense [nMels][nBins] matrix.
    public init(dense: [[Double]]) {
        nMels = dense.count
        nBins = dense.first?.count ?? 0
        var start = [Int](), weights = [[Float]]()
        for row in dense {
            guard let first = row.firstIndex(where: { $0 != 0 }), let last = row.lastIndex(where: { $0 != 0 }) else {
                start.append(0); weights.append([]); continue
            }
            start.append(first)
            weights.append(row[first...last].map { Float($0) })
        }
        self.start = start
        self.weights = weights
    }

    /// The dense [nMels, nBins] matrix, row-major (for tests and inspection).
    public func dense() -> [Float] {
        var out = [Float](repeating: 0, count: nMels * nBins)
        for m in 0..<nMels { for (j, w) in weights[m].enumerated() { out[m * nBins + start[m] + j] = w } }
        return out
    }

    /// Slaney or HTK Hz → mel, as librosa's `hz_to_mel`.
    public static func hzToMel(_ f: Double, htk: Bool) -> Double {
        if htk { return 2595 * log10(1 + f / 700) }
        let fSp = 200.0 / 3, minLogHz = 1000.0, minLogMel = minLogHz / fSp, logStep = log(6.4) / 27
        return f >= minLogHz ? minLogMel + log(f / minLogHz) / logStep : f / fSp
    }

    /// Slaney or HTK mel → Hz, as librosa's `mel_to_hz`.
    public static func melToHz(_ m: Double, htk: Bool) -> Double {
        if htk { return 700 * (pow(10, m / 2595) - 1) }
        let fSp = 200.0 / 3, minLogHz = 1000.0, minLogMel = minLogHz / fSp, logStep = log(6.4) / 27
        return m >= minLogMel ? minLogHz * exp(logStep * (m - minLogMel)) : fSp * m
    }
}
