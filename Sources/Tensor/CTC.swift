// CTC: connectionist temporal classification loss (Graves et al. 2006), forward-backward in log
// space over the blank-extended label sequence, fused with log-softmax of the logits.
import Foundation

extension Tensor {
    public enum CTCReduction {
        /// Σ over the batch of −log p(y|x).
        case sum
        /// Mean over the batch of −log p(y|x) / |y| (PyTorch's `reduction='mean'`).
        case meanPerTarget
    }

    /// CTC loss. logits: [B, T, V] (unnormalized); inputLengths[b] ≤ T frames are used;
    /// targets[b]: labels in 1..<V (none equal to `blank`). Utterances with no valid alignment
    /// (too many labels for the frames) give loss 0 and no gradient when `zeroInfinity`.
    public static func ctcLoss(logits: Tensor, inputLengths: [Int], targets: [[Int]], blank: Int = 0,
                               reduction: CTCReduction = .meanPerTarget, zeroInfinity: Bool = true) -> Tensor {
        precondition(logits.rank == 3, "ctcLoss: logits must be [B, T, V], got \(logits.shape)")
        let (b, t, v) = (logits.shape[0], logits.shape[1], logits.shape[2])
        precondition(inputLengths.count == b && targets.count == b,
                     "ctcLoss: \(inputLengths.count) input lengths and \(targets.count) targets for batch \(b)")
        let logp = logits.logSoftmaxValues(op: "ctcLoss").values
        var grad = [Float](repeating: 0, count: logits.count)   // d(loss_b)/d(logits), before reduction weights
        var total: Double = 0
        var weights = [Float](repeating: 0, count: b)
        for n in 0..<b {
            let len = inputLengths[n], y = targets[n]
            precondition(len >= 0 && len <= t, "ctcLoss: input length \(len) outside 0...\(t)")
            for c in y { precondition(c >= 0 && c < v && c != blank, "ctcLoss: label \(c) invalid (V = \(v), blank = \(blank))") }
            let w: Float = reduction == .sum ? 1 : 1 / Float(max(y.count, 1)) / Float(b)
            let base = n * t * v
            let nll = ctcUtterance(logp: logp, base: base, frames: len, v: v, labels: y, blank: blank, grad: &grad)
            if nll.isInfinite && zeroInfinity {
                for i in base..<(base + t * v) { grad[i] = 0 }
                continue
            }
            total += nll * Double(w)
            weights[n] = w
        }
        return make("ctcLoss", shape: [], data: [Float(total)], parents: [logits]) { g in
            logits.accumulateGrad { dst in
                for n in 0..<b where weights[n] != 0 {
                    let s = g[0] * weights[n]
                    for i in (n * t * v)..<((n + 1) * t * v) { dst[i] += s * grad[i] }
                }
            }
        }
    }

    /// −log p(labels | frames) of one utterance; writes d(−log p)/d(logits) into grad[base...].
    static func ctcUtterance(logp: [Float], base: Int, frames: Int, v: Int, labels: [Int], blank: Int,
                             grad: inout [Float]) -> Double {
        let l = 2 * labels.count + 1
        let ext = (0..<l).map { $0 % 2 == 0 ? blank : labels[$0 / 2] }
        if frames == 0 { return labels.isEmpty ? 0 : .infinity }
        let ninf = -Double.infinity
        func lse(_ a: Double, _ b: Double) -> Double {
            if a == ninf { return b }
            if b == ninf { return a }
            let m = max(a, b)
            return m + Foundation.log(Foundation.exp(a - m) + Foundation.exp(b - m))
        }
        func lp(_ f: Int, _ k: Int) -> Double { Double(logp[base + f * v + k]) }
        // Whether state s may be entered from s − 2 (skip a blank between different labels).
        let canSkip = (0..<l).map { s in s >= 2 && ext[s] != blank && ext[s] != ext[s - 2] }
        var alpha = [Double](repeating: ninf, count: frames * l), beta = alpha
        alpha[0] = lp(0, ext[0])
        if l > 1 { alpha[1] = lp(0, ext[1]) }
        for f in 1..<max(frames, 1) {
            for s in 0..<l {
                var a = alpha[(f - 1) * l + s]
                if s >= 1 { a = lse(a, alpha[(f - 1) * l + s - 1]) }
                if canSkip[s] { a = lse(a, alpha[(f - 1) * l + s - 2]) }
                alpha[f * l + s] = a == ninf ? ninf : a + lp(f, ext[s])
            }
        }
        let last = (frames - 1) * l
        beta[last + l - 1] = lp(frames - 1, ext[l - 1])
        if l > 1 { beta[last + l - 2] = lp(frames - 1, ext[l - 2]) }
        for f in stride(from: frames - 2, through: 0, by: -1) {
            for s in 0..<l {
                var bsum = beta[(f + 1) * l + s]
                if s + 1 < l { bsum = lse(bsum, beta[(f + 1) * l + s + 1]) }
                if s + 2 < l && canSkip[s + 2] { bsum = lse(bsum, beta[(f + 1) * l + s + 2]) }
                beta[f * l + s] = bsum == ninf ? ninf : bsum + lp(f, ext[s])
            }
        }
        let logP = l > 1 ? lse(alpha[last + l - 1], alpha[last + l - 2]) : alpha[last]
        if logP == ninf { return .infinity }
        // d(−log P)/d z[f, k] = softmax[f, k] − Σ_{s: ext[s] = k} exp(α + β − lp[f, k] − log P)
        var occupancy = [Double](repeating: ninf, count: v)
        for f in 0..<frames {
            for k in 0..<v { occupancy[k] = ninf }
            for s in 0..<l { occupancy[ext[s]] = lse(occupancy[ext[s]], alpha[f * l + s] + beta[f * l + s]) }
            for k in 0..<v {
                let p = Foundation.exp(lp(f, k))
                let occ = occupancy[k] == ninf ? 0 : Foundation.exp(occupancy[k] - lp(f, k) - logP)
                grad[base + f * v + k] = Float(p - occ)
            }
        }
        return -logP
    }
}
