// Multi-head attention for the LAS speller: the decoder state queries H heads of scaled dot-product
// attention over projected encoder frames; head contexts are concatenated and projected back to E.
import Tensor

/// query s [B, Q], values h [B, T, E] → context [B, E], α [B, T] (mean over heads).
public final class MultiHeadContextAttention: AttentionMechanism {
    public let heads: Int
    public let queryProj: Linear, keyProj: Linear, valueProj: Linear, outProj: Linear

    public init(query: Int, value: Int, heads: Int, rng: inout RNG) {
        precondition(value % heads == 0, "multi-head attention: value dim \(value) not divisible by \(heads) heads")
        self.heads = heads
        queryProj = Linear(query, value, rng: &rng)
        keyProj = Linear(value, value, rng: &rng)
        valueProj = Linear(value, value, rng: &rng)
        outProj = Linear(value, value, rng: &rng)
    }

    public var kind: AttentionKind { .multihead }
    public var namedParameters: [(String, Tensor)] {
        scoped("query", queryProj) + scoped("key", keyProj) + scoped("value", valueProj) + scoped("out", outProj)
    }

    /// keys [B, H, T, d] and values [B, H, T, d] are stored concatenated along the last axis: [B, H, T, 2d].
    public func prepare(_ values: Tensor, lengths: [Int]) -> AttentionMemory {
        let (b, t, e) = (values.shape[0], values.shape[1], values.shape[2])
        let d = e / heads
        let k = keyProj(values).reshaped([b, t, heads, d]).permuted([0, 2, 1, 3])       // [B, H, T, d]
        let v = valueProj(values).reshaped([b, t, heads, d]).permuted([0, 2, 1, 3])     // [B, H, T, d]
        return AttentionMemory(values: values, keys: Tensor.concat([k, v], axis: 3), lengths: lengths)
    }

    public func attend(query: Tensor, memory: AttentionMemory, previous: Tensor) -> (context: Tensor, weights: Tensor) {
        let kv = memory.keys!
        let (b, h, t, d2) = (kv.shape[0], kv.shape[1], kv.shape[2], kv.shape[3])
        let d = d2 / 2
        let parts = kv.split([d, d], axis: 3)
        let (k, v) = (parts[0], parts[1])                                                // [B, H, T, d]
        let q = queryProj(query).reshaped([b, h, d, 1])                                  // [B, H, d, 1]
        let scores = Tensor.matmul(k, q).reshaped([b, h, t]).scaled(1 / Float(d).squareRoot())  // [B, H, T]
        let alpha = scores.maskedFill(memory.mask.reshaped([b, 1, t]), value: -1e9).softmax()    // [B, H, T]
        let ctx = Tensor.matmul(alpha.reshaped([b, h, 1, t]), v).reshaped([b, h * d])    // [B, E]
        return (outProj(ctx), alpha.mean(axis: 1))                                       // [B, E], [B, T]
    }
}
