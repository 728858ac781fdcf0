// Multi-head scaled dot-product attention for Transformer blocks (self- and cross-attention), batched
// over B·H. Keys/values can be projected once and reused (decoder caches, streaming encoder caches).
import Tensor

/// query [B, Tq, D], key/value source [B, Tk, D], mask broadcastable to [B, H, Tq, Tk] (nonzero = masked)
/// → output [B, Tq, D], weights [B, H, Tq, Tk]. Head size d = D / H; scores = q·kᵀ / √d.
/// Masked scores become −1e9 before the softmax and their weights exactly 0 after it, so a fully
/// masked query row gets all-zero weights (output = the out-projection bias) instead of NaN.
public final class MultiHeadAttention: Layer {
    public let heads: Int
    public let dim: Int
    public let queryProj: Linear, keyProj: Linear, valueProj: Linear, outProj: Linear

    public init(dim: Int, heads: Int, rng: inout RNG) {
        precondition(heads >= 1 && dim % heads == 0, "MultiHeadAttention: dim \(dim) not divisible by \(heads) heads")
        self.dim = dim
        self.heads = heads
        queryProj = Linear(dim, dim, rng: &rng)
        keyProj = Linear(dim, dim, rng: &rng)
        valueProj = Linear(dim, dim, rng: &rng)
        outProj = Linear(dim, dim, rng: &rng)
    }

    public var namedParameters: [(String, Tensor)] {
        scoped("query", queryProj) + scoped("key", keyProj) + scoped("value", valueProj) + scoped("out", outProj)
    }

    /// Size of one head.
    public var headDim: Int { dim / heads }

    /// x [B, T, D] → [B, H, T, d].
    func splitHeads(_ x: Tensor) -> Tensor {
        let (b, t) = (x.shape[0], x.shape[1])
        return x.reshaped([b, t, heads, headDim]).permuted([0, 2, 1, 3])
    }

    /// Keys and values of a source x [B, Tk, D], split into heads: [B, H, Tk, d] each. Compute once and
    /// pass to `attend` to reuse them (cross-attention memory, cached self-attention steps).
    public func keysValues(_ x: Tensor) -> (keys: Tensor, values: Tensor) {
        precondition(x.rank == 3 && x.shape[2] == dim, "MultiHeadAttention: source \(x.shape), expected [B, T, \(dim)]")
        return (splitHeads(keyProj(x)), splitHeads(valueProj(x)))
    }

    /// query [B, Tq, D] against precomputed keys/values [B, H, Tk, d] → output [B, Tq, D], weights [B, H, Tq, Tk].
    public func attend(query: Tensor, keys: Tensor, values: Tensor, mask: Tensor?) -> (output: Tensor, weights: Tensor) {
        precondition(query.rank == 3 && query.shape[2] == dim, "MultiHeadAttention: query \(query.shape), expected [B, T, \(dim)]")
        let (b, tq) = (query.shape[0], query.shape[1])
        precondition(keys.shape == values.shape && keys.rank == 4 && keys.shape[0] == b && keys.shape[1] == heads,
                     "MultiHeadAttention: keys \(keys.shape) / values \(values.shape) for query \(query.shape)")
        let q = splitHeads(queryProj(query).scaled(1 / Float(headDim).squareRoot()))  // [B, H, Tq, d]
        var scores = Tensor.matmul(q, keys, transposeB: true)                          // [B, H, Tq, Tk]
        let mask = mask.flatMap { $0.data.contains { $0 != 0 } ? $0 : nil }            // all-zero: nothing to mask
        if let mask { scores = scores.maskedFill(mask, value: -1e9) }
        var weights = scores.softmax()                                                 // [B, H, Tq, Tk]
        // exp(−1e9 − max) is exactly 0, so only a fully masked row (uniform over −1e9s) needs zeroing.
        if let mask, Self.hasFullyMaskedRow(mask) { weights = weights.maskedFill(mask, value: 0) }
        let context = Tensor.matmul(weights, values)                                   // [B, H, Tq, d]
            .permuted([0, 2, 1, 3]).reshaped([b, tq, dim])                             // [B, Tq, D]
        return (outProj(context), weights)
    }

    /// Whether some row of `mask` along its last axis is all nonzero (then a query sees no key; a last dim of 1
    /// broadcasts one value over all keys).
    static func hasFullyMaskedRow(_ mask: Tensor) -> Bool {
        let n = mask.shape.last ?? 1, d = mask.data
        guard n > 0 else { return false }
        return stride(from: 0, to: d.count, by: n).contains { start in !d[start..<(start + n)].contains(0) }
    }

    /// query [B, Tq, D], keyValue [B, Tk, D] → output [B, Tq, D], weights [B, H, Tq, Tk].
    public func callAsFunction(_ query: Tensor, keyValue: Tensor, mask: Tensor? = nil) -> (output: Tensor, weights: Tensor) {
        let (k, v) = keysValues(keyValue)
        return attend(query: query, keys: k, values: v, mask: mask)
    }
}
