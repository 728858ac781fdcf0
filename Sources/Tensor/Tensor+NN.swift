// Tensor+NN: the ops layers are built from that are not plain arithmetic — embedding lookup,
// layer norm (fused, llm.c layernorm_forward/backward), dropout (seeded) and masked fill.
import Foundation

extension Tensor {
    /// Rows of `table` [V, E] picked by `indices` (any shape S) → S + [E]. Backward scatter-adds.
    public static func embedding(_ table: Tensor, indices: [Int], shape indexShape: [Int]? = nil) -> Tensor {
        precondition(table.rank == 2, "embedding: table must be [V, E], got \(table.shape)")
        let s = indexShape ?? [indices.count]
        precondition(count(of: s) == indices.count, "embedding: index shape \(s) does not hold \(indices.count) indices")
        return table.indexSelect(indices, axis: 0).reshaped(s + [table.shape[1]])
    }

    /// Layer normalization over the last dim F: (x − μ)/√(σ² + eps) · gamma + beta.
    /// x: [..., F], gamma/beta: [F].
    public static func layerNorm(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float = 1e-5) -> Tensor {
        let f = x.shape.last ?? 0
        precondition(gamma.shape == [f] && beta.shape == [f],
                     "layerNorm: gamma \(gamma.shape) / beta \(beta.shape) must be [\(f)] for input \(x.shape)")
        let rows = f == 0 ? 0 : x.count / f
        var out = [Float](repeating: 0, count: x.count)
        var mean = [Float](repeating: 0, count: rows), rstd = [Float](repeating: 0, count: rows)
        let xd = x.data, gd = gamma.data, bd = beta.data
        for r in 0..<rows {
            let o = r * f
            var m: Float = 0
            for j in 0..<f { m += xd[o + j] }
            m /= Float(f)
            var v: Float = 0
            for j in 0..<f { let d = xd[o + j] - m; v += d * d }
            let rs = 1 / (v / Float(f) + eps).squareRoot()
            for j in 0..<f { out[o + j] = (xd[o + j] - m) * rs * gd[j] + bd[j] }
            mean[r] = m; rstd[r] = rs
        }
        return make("layerNorm", shape: x.shape, data: out, parents: [x, gamma, beta]) { g in
            var dgamma = [Float](repeating: 0, count: f), dbeta = [Float](repeating: 0, count: f)
            var dx = [Float](repeating: 0, count: x.requiresGrad ? xd.count : 0)
            for r in 0..<rows {
                let o = r * f, m = mean[r], rs = rstd[r]
                var dnormMean: Float = 0, dnormNormMean: Float = 0
                for j in 0..<f {
                    let norm = (xd[o + j] - m) * rs, dnorm = gd[j] * g[o + j]
                    dbeta[j] += g[o + j]
                    dgamma[j] += norm * g[o + j]
                    dnormMean += dnorm
                    dnormNormMean += dnorm * norm
                }
                guard x.requiresGrad else { continue }
                dnormMean /= Float(f); dnormNormMean /= Float(f)
                for j in 0..<f {
                    let norm = (xd[o + j] - m) * rs, dnorm = gd[j] * g[o + j]
                    dx[o + j] = (dnorm - dnormMean - norm * dnormNormMean) * rs
                }
            }
            if x.requiresGrad { x.accumulateGrad(dx) }
            if gamma.requiresGrad { gamma.accumulateGrad(dgamma) }
            if beta.requiresGrad { beta.accumulateGrad(dbeta) }
        }
    }

    /// Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1−p).
    /// The identity when p == 0. The mask comes from `rng`, so a saved RNG state replays it.
    public func dropout(_ p: Float, rng: inout RNG) -> Tensor {
        precondition(p >= 0 && p < 1, "dropout: probability \(p) must be in [0, 1)")
        if p == 0 { return self }
        let keep = 1 / (1 - p)
        let mask = (0..<count).map { _ in rng.nextFloat() < p ? Float(0) : keep }
        return self * Tensor(shape: shape, data: mask)
    }

    /// Dropout as a function for layers that take one: `dropout(p, rng:)` drawing from `rng` while training (`rng`
    /// non-nil and p > 0), the identity otherwise (inference, or p == 0).
    public static func dropper(_ p: Float, rng: UnsafeMutablePointer<RNG>?) -> (Tensor) -> Tensor {
        guard let rng, p > 0 else { return { $0 } }
        return { $0.dropout(p, rng: &rng.pointee) }
    }

    /// `value` where `mask` (broadcastable to self; nonzero = masked) is set, self elsewhere.
    /// Masked positions get no gradient. Attention uses value = -inf or a large negative number.
    public func maskedFill(_ mask: Tensor, value: Float) -> Tensor {
        let outShape = Broadcast.shape(shape, mask.shape, op: "maskedFill")
        precondition(outShape == shape, "maskedFill: mask \(mask.shape) must broadcast to \(shape)")
        let m = Broadcast.expand(mask.data, from: mask.shape, to: shape)
        var out = data
        for i in 0..<count where m[i] != 0 { out[i] = value }
        let x = self
        return Tensor.make("maskedFill", shape: shape, data: out, parents: [x]) { g in
            x.accumulateGrad { dst in for i in 0..<dst.count where m[i] == 0 { dst[i] += g[i] } }
        }
    }
}
