// Additive attention (Bahdanau) and its location-aware form (Chorowski et al. 2015):
// e_ij = w·tanh(W s_i + V h_j + b + U f_ij), f = conv1d(α_{i−1}) with `filters` kernels of width `kernel`.
import Tensor

/// query s [B, Q], values h [B, T, E] → context [B, E], α [B, T]. Attention dim A.
public final class AdditiveAttention: AttentionMechanism {
    public let queryProj: Linear      // W: Q → A, no bias
    public let valueProj: Linear      // V, b: E → A
    public let score: Linear          // w: A → 1, no bias
    public let locationConv: Tensor?  // [filters, 1, kernel], no bias
    public let locationProj: Linear?  // U: filters → A, no bias
    public let kernel: Int

    public init(query: Int, value: Int, dim: Int, location: (filters: Int, kernel: Int)?, rng: inout RNG) {
        queryProj = Linear(query, dim, bias: false, rng: &rng)
        valueProj = Linear(value, dim, bias: true, rng: &rng)
        score = Linear(dim, 1, bias: false, rng: &rng)
        if let location {
            precondition(location.kernel % 2 == 1, "location attention: kernel \(location.kernel) must be odd")
            locationConv = parameter(Initializer.glorotUniform([location.filters, 1, location.kernel], rng: &rng))
            locationProj = Linear(location.filters, dim, bias: false, rng: &rng)
            kernel = location.kernel
        } else {
            locationConv = nil
            locationProj = nil
            kernel = 0
        }
    }

    public var kind: AttentionKind { locationConv == nil ? .additive : .location }

    public var namedParameters: [(String, Tensor)] {
        scoped("query", queryProj) + scoped("value", valueProj) + scoped("score", score)
            + (locationConv.map { [("location.conv", $0)] } ?? []) + scoped("location.proj", locationProj)
    }

    public func prepare(_ values: Tensor, lengths: [Int]) -> AttentionMemory {
        AttentionMemory(values: values, keys: valueProj(values), lengths: lengths)   // keys [B, T, A]
    }

    public func attend(query: Tensor, memory: AttentionMemory, previous: Tensor) -> (context: Tensor, weights: Tensor) {
        let keys = memory.keys!
        let (b, t) = (keys.shape[0], keys.shape[1])
        var location: (features: Tensor, proj: Tensor)?
        if let locationConv, let locationProj {
            let f = Tensor.conv1d(previous.reshaped([b, 1, t]), weight: locationConv, padding: kernel / 2)  // [B, F, T]
            location = (f, locationProj.weight)                                          // U [A, F]
        }
        // e = w·tanh(keys + W s + U f), fused: no [B, T, A] broadcast copies
        let scores = Tensor.additiveAttentionScores(keys: keys, query: queryProj(query), location: location,
                                                    weight: score.weight)               // [B, T]
        return contextFromScores(scores, memory: memory)
    }
}
