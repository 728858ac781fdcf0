// The attention interface of the LAS speller: encoder memory prepared once per utterance, then one call per
// output step that turns the decoder state into alignment weights over encoder frames and a context vector.
import Tensor

/// Kinds of attention a model config can name.
public enum AttentionKind: String, Codable, Sendable, CaseIterable {
    /// Bahdanau: e = w·tanh(W s + V h + b).
    case additive
    /// Luong, scaled dot product: e = (W s)·h / √E.
    case dot
    /// Chorowski et al. 2015: additive plus U·conv1d(α_{i−1}).
    case location
    /// Scaled dot product in several heads, heads concatenated and projected.
    case multihead
}

/// Encoder output prepared for attention. values [B, T, E]; keys [B, T, A] (projected once, or nil);
/// mask [B, T] with 1 at padded frames.
public struct AttentionMemory {
    public let values: Tensor
    public let keys: Tensor?
    public let mask: Tensor
    public let lengths: [Int]

    public init(values: Tensor, keys: Tensor?, lengths: [Int]) {
        self.values = values
        self.keys = keys
        self.lengths = lengths
        let (b, t) = (values.shape[0], values.shape[1])
        var m = [Float](repeating: 0, count: b * t)
        for i in 0..<b { for j in lengths[i]..<t { m[i * t + j] = 1 } }
        mask = Tensor(shape: [b, t], data: m)
    }

    /// The memory of the hypotheses `indices` (beam reordering / expansion along the batch axis).
    public func select(_ indices: [Int]) -> AttentionMemory {
        AttentionMemory(values: values.indexSelect(indices, axis: 0), keys: keys?.indexSelect(indices, axis: 0),
                        lengths: indices.map { lengths[$0] })
    }

    /// The uniform alignment α₀ over each sequence's frames: [B, T].
    public func uniformAlignment() -> Tensor {
        let (b, t) = (values.shape[0], values.shape[1])
        var a = [Float](repeating: 0, count: b * t)
        for i in 0..<b where lengths[i] > 0 { for j in 0..<lengths[i] { a[i * t + j] = 1 / Float(lengths[i]) } }
        return Tensor(shape: [b, t], data: a)
    }
}

/// An attention mechanism: query [B, Q] + memory + previous alignment [B, T] → context [B, E], weights [B, T].
public protocol AttentionMechanism: Layer {
    var kind: AttentionKind { get }
    /// Projects encoder output values [B, T, E] once per utterance.
    func prepare(_ values: Tensor, lengths: [Int]) -> AttentionMemory
    /// One step of attention.
    func attend(query: Tensor, memory: AttentionMemory, previous: Tensor) -> (context: Tensor, weights: Tensor)
}

extension AttentionMechanism {
    /// Masked softmax over frames and the weighted sum of values: scores [B, T] → (context [B, E], α [B, T]).
    func contextFromScores(_ scores: Tensor, memory: AttentionMemory) -> (context: Tensor, weights: Tensor) {
        let b = scores.shape[0], t = scores.shape[1], e = memory.values.shape[2]
        let alpha = scores.maskedFill(memory.mask, value: -1e9).softmax()                       // [B, T]
        let context = Tensor.matmul(alpha.reshaped([b, 1, t]), memory.values).reshaped([b, e])  // [B, E]
        return (context, alpha)
    }
}

/// Builds the mechanism a config names.
public func makeAttention(_ kind: AttentionKind, query: Int, value: Int, dim: Int, heads: Int = 4,
                          locationFilters: Int = 10, locationKernel: Int = 31, rng: inout RNG) -> AttentionMechanism {
    switch kind {
    case .additive: return AdditiveAttention(query: query, value: value, dim: dim, location: nil, rng: &rng)
    case .location:
        return AdditiveAttention(query: query, value: value, dim: dim,
                                 location: (filters: locationFilters, kernel: locationKernel), rng: &rng)
    case .dot: return DotAttention(query: query, value: value, rng: &rng)
    case .multihead: return MultiHeadContextAttention(query: query, value: value, heads: heads, rng: &rng)
    }
}
