// Scaled dot-product attention (Luong "general" form): e_ij = (W s_i)·h_j / √E.
import Tensor

/// query s [B, Q], values h [B, T, E] → context [B, E], α [B, T].
public final class DotAttention: AttentionMechanism {
    public let queryProj: Linear   // Q → E

    public init(query: Int, value: Int, rng: inout RNG) {
        queryProj = Linear(query, value, bias: false, rng: &rng)
    }

    public var kind: AttentionKind { .dot }
    public var namedParameters: [(String, Tensor)] { scoped("query", queryProj) }

    public func prepare(_ values: Tensor, lengths: [Int]) -> AttentionMemory {
        AttentionMemory(values: values, keys: nil, lengths: lengths)
    }

    public func attend(query: Tensor, memory: AttentionMemory, previous: Tensor) -> (context: Tensor, weights: Tensor) {
        let v = memory.values
        let (b, t, e) = (v.shape[0], v.shape[1], v.shape[2])
        let q = queryProj(query).reshaped([b, e, 1])                                      // [B, E, 1]
        let scores = Tensor.matmul(v, q).reshaped([b, t]).scaled(1 / Float(e).squareRoot())  // [B, T]
        return contextFromScores(scores, memory: memory)
    }
}
