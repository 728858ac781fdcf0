// One pre-LayerNorm Transformer decoder block: masked self-attention, cross-attention to the encoder memory,
// feed-forward, each as x + sublayer(LN(x)). Teacher-forced (whole sequence) and one-step (cached) forms.
import Tensor

/// x [B, U, D], memory keys/values [B, H, T, d] (from `crossAttention.keysValues(memory [B, T, D])`)
/// → (output [B, U, D], cross-attention weights [B, H, U, T]).
public final class TransformerDecoderLayer: Layer {
    public let selfAttention: MultiHeadAttention, crossAttention: MultiHeadAttention
    public let selfNorm: LayerNorm, crossNorm: LayerNorm, feedForwardNorm: LayerNorm
    public let feedForward: FeedForward
    public let dropout: Float

    /// Keys/values a layer has seen: its own past inputs' [B, H, u, d] (nil before the first step)
    /// and the memory's [B, H, T, d].
    public struct Cache {
        public var selfKeys: Tensor?, selfValues: Tensor?
        public var memoryKeys: Tensor, memoryValues: Tensor

        /// The cache of hypotheses `indices` (batch axis). `memoryToo` false keeps the memory keys/values.
        func select(_ indices: [Int], memoryToo: Bool) -> Cache {
            Cache(selfKeys: selfKeys?.indexSelect(indices, axis: 0), selfValues: selfValues?.indexSelect(indices, axis: 0),
                  memoryKeys: memoryToo ? memoryKeys.indexSelect(indices, axis: 0) : memoryKeys,
                  memoryValues: memoryToo ? memoryValues.indexSelect(indices, axis: 0) : memoryValues)
        }
    }

    public init(dim: Int, heads: Int, feedForward: Int, dropout: Float = 0, rng: inout RNG) {
        selfAttention = MultiHeadAttention(dim: dim, heads: heads, rng: &rng)
        crossAttention = MultiHeadAttention(dim: dim, heads: heads, rng: &rng)
        selfNorm = LayerNorm(dim)
        crossNorm = LayerNorm(dim)
        feedForwardNorm = LayerNorm(dim)
        self.feedForward = FeedForward(dim: dim, hidden: feedForward, rng: &rng)
        self.dropout = dropout
    }

    public var namedParameters: [(String, Tensor)] {
        scoped("self_attn", selfAttention) + scoped("cross_attn", crossAttention) + scoped("norm1", selfNorm)
            + scoped("norm2", crossNorm) + scoped("norm3", feedForwardNorm) + feedForward.namedParameters
    }

    /// A fresh step cache for memory [B, T, D].
    public func makeCache(memory: Tensor) -> Cache {
        let kv = crossAttention.keysValues(memory)
        return Cache(selfKeys: nil, selfValues: nil, memoryKeys: kv.keys, memoryValues: kv.values)
    }

    /// Teacher forcing (inference): x [B, U, D], memory [B, T, D], selfMask broadcastable to [B, H, U, U]
    /// (usually causal), memoryMask to [B, H, U, T] (padding) → (output [B, U, D], weights [B, H, U, T]).
    public func callAsFunction(_ x: Tensor, memory: Tensor, selfMask: Tensor?, memoryMask: Tensor?) -> (output: Tensor, weights: Tensor) {
        block(x, selfAttend: { h in selfAttention(h, keyValue: h, mask: selfMask).output },
              memory: crossAttention.keysValues(memory), memoryMask: memoryMask, drop: { $0 })
    }

    /// Training: as `callAsFunction`, with dropout p from `rng`.
    public func forward(_ x: Tensor, memory: Tensor, selfMask: Tensor?, memoryMask: Tensor?,
                        rng: inout RNG) -> (output: Tensor, weights: Tensor) {
        let p = dropout
        return block(x, selfAttend: { h in selfAttention(h, keyValue: h, mask: selfMask).output },
                     memory: crossAttention.keysValues(memory), memoryMask: memoryMask, drop: { $0.dropout(p, rng: &rng) })
    }

    /// One step: x [B, 1, D] for the next position attends to the cached positions and itself; its keys/values
    /// are appended to `cache` → (output [B, 1, D], cross weights [B, H, 1, T]).
    public func step(_ x: Tensor, cache: inout Cache, memoryMask: Tensor?) -> (output: Tensor, weights: Tensor) {
        var c = cache
        let r = block(x, selfAttend: { h in
            let kv = selfAttention.keysValues(h)                                      // [B, H, 1, d]
            c.selfKeys = c.selfKeys.map { Tensor.concat([$0, kv.keys], axis: 2) } ?? kv.keys          // [B, H, u+1, d]
            c.selfValues = c.selfValues.map { Tensor.concat([$0, kv.values], axis: 2) } ?? kv.values
            return selfAttention.attend(query: h, keys: c.selfKeys!, values: c.selfValues!, mask: nil).output
        }, memory: (cache.memoryKeys, cache.memoryValues), memoryMask: memoryMask, drop: { $0 })
        cache = c
        return r
    }

    /// The three residual sublayers; `selfAttend` gets LN(x) and returns the self-attention output.
    func block(_ x: Tensor, selfAttend: (Tensor) -> Tensor, memory: (keys: Tensor, values: Tensor), memoryMask: Tensor?,
               drop: (Tensor) -> Tensor) -> (output: Tensor, weights: Tensor) {
        let a = x + drop(selfAttend(selfNorm(x)))                                      // [B, U, D]
        let cross = crossAttention.attend(query: crossNorm(a), keys: memory.keys, values: memory.values, mask: memoryMask)
        let b = a + drop(cross.output)                                                 // [B, U, D]
        return (b + drop(feedForward(feedForwardNorm(b), drop: drop)), cross.weights)  // [B, U, D], [B, H, U, T]
    }
}
