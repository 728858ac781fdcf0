// SpecAugment (Park et al. 2019) without time warping: random frequency and time masks on [T, F] features.
import Features
import Tensor

extension SpecAugmentConfig {
    /// Masks `m` in place of a copy, drawing from `rng`.
    public func apply(_ m: FeatureMatrix, rng: inout RNG) -> FeatureMatrix {
        guard enabled else { return m }
        var out = m
        for _ in 0..<frequencyMasks where frequencyWidth > 0 {
            let w = Int.random(in: 0...min(frequencyWidth, m.dim), using: &rng)
            let f0 = Int.random(in: 0...(m.dim - w), using: &rng)
            for t in 0..<m.frames { for f in f0..<(f0 + w) { out.data[t * m.dim + f] = 0 } }
        }
        let maxT = min(timeWidth, Int(Float(m.frames) * maxTimeFraction))
        for _ in 0..<timeMasks where maxT > 0 {
            let w = Int.random(in: 0...maxT, using: &rng)
            let t0 = Int.random(in: 0...(m.frames - w), using: &rng)
            for t in t0..<(t0 + w) { for f in 0..<m.dim { out.data[t * m.dim + f] = 0 } }
        }
        return out
    }
}
