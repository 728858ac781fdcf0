// One pre-LayerNorm Transformer encoder block: x + MHA(LN(x)), then x + FF(LN(x)), FF = Linear → ReLU → Linear.
// Whole-sequence (with a mask) and streaming (one chunk against cached left-context keys/values) forms.
import Tensor

/// x [B, T, D] → [B, T, D]. Self-attention with H heads, feed-forward width F. Dropout p on the
/// attention and feed-forward outputs and the FF hidden layer, only in `forward(_:mask:rng:)` (training).
public final class TransformerEncoderLayer: Layer {
    public let attention: MultiHeadAttention
    public let attentionNorm: LayerNorm, feedForwardNorm: LayerNorm
    public let feedForward: FeedForward
    public let dropout: Float

    public init(dim: Int, heads: Int, feedForward: Int, dropout: Float = 0, rng: inout RNG) {
        attention = MultiHeadAttention(dim: dim, heads: heads, rng: &rng)
        attentionNorm = LayerNorm(dim)
        feedForwardNorm = LayerNorm(dim)
        self.feedForward = FeedForward(dim: dim, hidden: feedForward, rng: &rng)
        self.dropout = dropout
    }

    public var namedParameters: [(String, Tensor)] {
        scoped("self_attn", attention) + scoped("norm1", attentionNorm) + scoped("norm2", feedForwardNorm)
            + feedForward.namedParameters
    }

    /// Inference: x [B, T, D], mask broadcastable to [B, H, T, T] (nonzero = masked) → [B, T, D].
    public func callAsFunction(_ x: Tensor, mask: Tensor?) -> Tensor {
        block(x, attend: { h in attention(h, keyValue: h, mask: mask).output }, drop: { $0 })
    }

    /// Training: as `callAsFunction`, with dropout p drawn from `rng`.
    public func forward(_ x: Tensor, mask: Tensor?, rng: inout RNG) -> Tensor {
        let p = dropout
        return block(x, attend: { h in attention(h, keyValue: h, mask: mask).output }, drop: { $0.dropout(p, rng: &rng) })
    }

    /// Streaming: a chunk x [B, C, D] attends to itself (unmasked) and to cached left-context keys/values
    /// [B, H, L, d] (nil when there are none) → (output [B, C, D], this chunk's keys/values [B, H, C, d] to cache).
    public func step(_ x: Tensor, leftKeys: Tensor?, leftValues: Tensor?) -> (output: Tensor, keys: Tensor, values: Tensor) {
        var chunkKV: (keys: Tensor, values: Tensor)?
        let y = block(x, attend: { h in
            let kv = attention.keysValues(h)                                          // [B, H, C, d] each
            chunkKV = kv
            let keys = leftKeys.map { Tensor.concat([$0, kv.keys], axis: 2) } ?? kv.keys        // [B, H, L+C, d]
            let values = leftValues.map { Tensor.concat([$0, kv.values], axis: 2) } ?? kv.values
            return attention.attend(query: h, keys: keys, values: values, mask: nil).output
        }, drop: { $0 })
        return (y, chunkKV!.keys, chunkKV!.values)
    }

    /// The two residual sublayers around `attend` (given LN(x), returns the attention output).
    func block(_ x: Tensor, attend: (Tensor) -> Tensor, drop: (Tensor) -> Tensor) -> Tensor {
        let a = x + drop(attend(attentionNorm(x)))                                    // [B, T, D]
        return a + drop(feedForward(feedForwardNorm(a), drop: drop))                  // [B, T, D]
    }
}
