// One pre-LayerNorm Transformer encoder block: x + MHA(LN(x)), then x + FF(LN(x)), FF = Linear → ReLU → Linear.
// Whole-sequence (with a mask) and streaming (a chunk against cached context keys/values) forms.
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

    /// Streaming, part 1: the keys/values [B, H, C, d] of new input frames x [B, C, D] (LN first, as in the block).
    public func keysValues(_ x: Tensor) -> (keys: Tensor, values: Tensor) {
        attention.keysValues(attentionNorm(x))
    }

    /// Streaming, part 2: frames x [B, C, D] attend (unmasked) to keys/values [B, H, K, d] that the caller chose
    /// (their context, themselves included) → [B, C, D].
    public func step(_ x: Tensor, keys: Tensor, values: Tensor) -> Tensor {
        block(x, attend: { h in attention.attend(query: h, keys: keys, values: values, mask: nil).output }, drop: { $0 })
    }

    /// The two residual sublayers around `attend` (given LN(x), returns the attention output).
    func block(_ x: Tensor, attend: (Tensor) -> Tensor, drop: (Tensor) -> Tensor) -> Tensor {
        let a = x + drop(attend(attentionNorm(x)))                                    // [B, T, D]
        return a + drop(feedForward(feedForwardNorm(a), drop: drop))                  // [B, T, D]
    }
}
