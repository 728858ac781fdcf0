// Vocal tract length perturbation (Jaitly & Hinton 2013) on log-mel features: a training utterance's frequency
// axis is stretched or squeezed by a factor α, as if a speaker with a longer or shorter vocal tract had said it.
// Applied to the (cached, normalized) log-mel rows by interpolating along the mel axis, so it costs no FFT.
import Features
import Foundation
import Tensor

extension VTLPConfig {
    /// Warps `m` [T, nMels] (features made with `features`) by α drawn uniformly from [1 − maxWarp, 1 + maxWarp].
    /// Off (maxWarp 0): returns `m` and draws nothing from `rng`, so runs without VTLP stay bit-identical.
    public func apply(_ m: FeatureMatrix, features: FeatureConfig, rng: inout RNG) -> FeatureMatrix {
        guard maxWarp > 0 else { return m }
        let alpha = 1 + Float.random(in: -maxWarp...maxWarp, using: &rng)
        return Self.warp(m, alpha: Double(alpha), features: features)
    }

    /// The warped features: output band i (centre frequency h) takes the input at frequency w⁻¹(h), linearly
    /// interpolated between the two nearest bands, where w(f) = α·f up to F = 0.8·f_max·min(α, 1)/α and is linear
    /// above so that f_max maps to itself (Kaldi's piecewise VTLN warp). α = 1 returns `m` unchanged.
    public static func warp(_ m: FeatureMatrix, alpha: Double, features c: FeatureConfig) -> FeatureMatrix {
        guard alpha != 1, m.dim == c.nMels, m.dim > 1 else { return m }
        let fMax = c.fMax ?? Double(c.sampleRate) / 2
        func mel(_ f: Double) -> Double {
            c.melScale == .kaldi ? 1127 * log(1 + f / 700) : MelFilterbank.hzToMel(f, htk: c.melScale == .htk)
        }
        func hz(_ m: Double) -> Double {
            c.melScale == .kaldi ? 700 * (exp(m / 1127) - 1) : MelFilterbank.melToHz(m, htk: c.melScale == .htk)
        }
        let lo = mel(c.fMin), step = (mel(fMax) - lo) / Double(c.nMels + 1)
        let knee = 0.8 * fMax * min(alpha, 1) / alpha
        // Source position (fractional band index) of each output band.
        let source = (0..<c.nMels).map { i -> Double in
            let h = hz(lo + Double(i + 1) * step)
            let f = h <= alpha * knee ? h / alpha : knee + (h - alpha * knee) * (fMax - knee) / (fMax - alpha * knee)
            return min(max((mel(f) - lo) / step - 1, 0), Double(c.nMels - 1))
        }
        var out = m
        for (i, p) in source.enumerated() {
            let j = min(Int(p), c.nMels - 2), w = Float(p - Double(j))
            for t in 0..<m.frames {
                let row = t * m.dim
                out.data[row + i] = (1 - w) * m.data[row + j] + w * m.data[row + j + 1]
            }
        }
        return out
    }
}
