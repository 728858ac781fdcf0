// BootstrapInterval: a seeded, deterministic percentile bootstrap confidence interval of a corpus error rate,
// resampling utterances with replacement (Bisani & Ney 2004 style). Includes the SplitMix64 generator it uses.

/// SplitMix64: a small, fast, seedable generator; the same seed gives the same sequence on every platform.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A uniform index in `0..<n` (multiply-shift; the bias is below 2^-32 for n < 2^32).
    @inline(__always) mutating func index(below n: Int) -> Int {
        Int(((next() >> 32) &* UInt64(n)) >> 32)
    }
}

/// Percentile bootstrap of `sum(errors) / sum(referenceLengths)` over utterances.
public enum BootstrapInterval {
    /// The central `confidence` interval (e.g. 0.95 -> 2.5th and 97.5th percentiles, linearly interpolated like
    /// numpy's default) of the corpus rate over `replicates` resamples. Replicates with no reference tokens are
    /// skipped; `nil` when there is no utterance, no replicate, or every replicate was skipped.
    public static func rate(errors: [Int32], referenceLengths: [Int32], replicates: Int = 1000,
                            confidence: Double = 0.95, seed: UInt64 = 0) -> (lower: Double, upper: Double)? {
        precondition(errors.count == referenceLengths.count, "one error count per utterance")
        let n = errors.count
        guard n > 0, replicates > 0 else { return nil }
        var rng = SplitMix64(seed: seed)
        var rates: [Double] = []
        rates.reserveCapacity(replicates)
        errors.withUnsafeBufferPointer { e in
            referenceLengths.withUnsafeBufferPointer { r in
                for _ in 0..<replicates {
                    var errs = 0, words = 0
                    for _ in 0..<n {
                        let k = rng.index(below: n)
                        errs &+= Int(e[k]); words &+= Int(r[k])
                    }
                    if words > 0 { rates.append(Double(errs) / Double(words)) }
                }
            }
        }
        guard !rates.isEmpty else { return nil }
        rates.sort()
        let alpha = (1 - confidence) / 2
        return (percentile(rates, alpha), percentile(rates, 1 - alpha))
    }

    /// Linear interpolation between closest ranks of sorted values (numpy's default "linear" method).
    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        let pos = q * Double(sorted.count - 1)
        let lo = Int(pos.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - Double(lo))
    }
}
