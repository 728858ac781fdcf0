// Tensor+Loss: cross-entropy fused with log-softmax (label smoothing, ignored padding).
// CTC is in CTC.swift. Both take raw logits and return a scalar.
import Foundation

extension Tensor {
    /// Cross-entropy of `logits` [..., V] against `targets` (one class per row, rows = count / V).
    ///
    /// Rows whose target is `ignoreIndex` (padding) add nothing; the loss is the mean over the other
    /// rows. With label smoothing ε the target distribution is (1 − ε)·onehot + ε/V (PyTorch's).
    /// Backward: (softmax − q) / rows, with one exp per logit and no separate log-softmax node.
    public static func crossEntropy(logits: Tensor, targets: [Int], ignoreIndex: Int? = 0,
                                    labelSmoothing eps: Float = 0) -> Tensor {
        let (logp, rows, v) = logits.logSoftmaxValues(op: "crossEntropy")
        precondition(targets.count == rows, "crossEntropy: \(targets.count) targets for \(rows) rows of logits \(logits.shape)")
        precondition(eps >= 0 && eps < 1, "crossEntropy: label smoothing \(eps) must be in [0, 1)")
        var total: Double = 0
        var used = 0
        for r in 0..<rows where targets[r] != ignoreIndex {
            let t = targets[r]
            precondition(t >= 0 && t < v, "crossEntropy: target \(t) at row \(r) outside 0..<\(v)")
            var rowSum: Double = 0
            if eps > 0 { for j in 0..<v { rowSum += Double(logp[r * v + j]) } }
            total -= Double(1 - eps) * Double(logp[r * v + t]) + Double(eps) / Double(v) * rowSum
            used += 1
        }
        let denom = Float(max(used, 1))
        let loss = Float(total) / denom
        return make("crossEntropy", shape: [], data: [loss], parents: [logits]) { g in
            let scale = g[0] / denom, smooth = eps / Float(v)
            let p = VectorMath.exp(logp)
            logits.accumulateGrad { dst in
                for r in 0..<rows where targets[r] != ignoreIndex {
                    let o = r * v
                    for j in 0..<v { dst[o + j] += scale * (p[o + j] - smooth) }
                    dst[o + targets[r]] -= scale * (1 - eps)
                }
            }
        }
    }
}
