// The Transformer decoder, the second speller option: token embedding × √D plus sinusoidal positions, N pre-LN
// decoder layers (causal self-attention, cross-attention to the encoder memory, FF), final LayerNorm, Linear → V.
// Teacher-forced forward here; the one-step search contract (State, step, reorder) is in TransformerDecoderStep.swift.
import Tensor

/// tokens [B, U], memory [B, T, D] with lengths [B] → logits [B, U, V]. Token u sees tokens 0...u and the
/// unpadded memory frames.
public final class TransformerDecoder: Layer {
    public let embedding: Embedding
    public let layers: [TransformerDecoderLayer]
    public let finalNorm: LayerNorm
    public let outputProj: Linear
    public let dim: Int
    public let dropout: Float

    public init(vocabulary: Int, dim: Int = 256, heads: Int = 4, feedForward: Int = 1024, layers: Int = 6,
                dropout: Float = 0, rng: inout RNG) {
        precondition(layers >= 1, "TransformerDecoder: needs at least one layer")
        self.dim = dim
        self.dropout = dropout
        embedding = Embedding(vocabulary: vocabulary, dim: dim, rng: &rng)
        self.layers = (0..<layers).map { _ in
            TransformerDecoderLayer(dim: dim, heads: heads, feedForward: feedForward, dropout: dropout, rng: &rng)
        }
        finalNorm = LayerNorm(dim)
        outputProj = Linear(dim, vocabulary, rng: &rng)
    }

    public var namedParameters: [(String, Tensor)] {
        scoped("embedding", embedding) + layers.enumerated().flatMap { scoped("layers.\($0.offset)", $0.element) }
            + scoped("norm", finalNorm) + scoped("output", outputProj)
    }

    public var vocabulary: Int { outputProj.outFeatures }

    /// Teacher forcing (inference): tokens (row-major, `shape` [B, U]) → logits [B, U, V].
    public func callAsFunction(tokens: [Int], shape: [Int], memory: Tensor, memoryLengths: [Int]) -> Tensor {
        run(tokens: tokens, shape: shape, memory: memory, memoryLengths: memoryLengths,
            drop: { $0 }) { layer, x, selfMask, memoryMask in
            layer(x, memory: memory, selfMask: selfMask, memoryMask: memoryMask).output
        }
    }

    /// Training: as `callAsFunction`, with dropout (after the positions and inside every layer) from `rng`.
    public func forward(tokens: [Int], shape: [Int], memory: Tensor, memoryLengths: [Int], rng: inout RNG) -> Tensor {
        let p = dropout
        return run(tokens: tokens, shape: shape, memory: memory, memoryLengths: memoryLengths,
                   drop: { $0.dropout(p, rng: &rng) }) { layer, x, selfMask, memoryMask in
            layer.forward(x, memory: memory, selfMask: selfMask, memoryMask: memoryMask, rng: &rng).output
        }
    }

    /// Embedding, layers (each through `apply`), final norm and output projection.
    func run(tokens: [Int], shape: [Int], memory: Tensor, memoryLengths: [Int], drop: (Tensor) -> Tensor,
             apply: (TransformerDecoderLayer, Tensor, Tensor, Tensor) -> Tensor) -> Tensor {
        precondition(shape.count == 2 && shape[0] * shape[1] == tokens.count, "TransformerDecoder: \(tokens.count) tokens for shape \(shape)")
        precondition(memory.rank == 3 && memory.shape[0] == shape[0] && memory.shape[2] == dim && memoryLengths.count == shape[0],
                     "TransformerDecoder: memory \(memory.shape) with \(memoryLengths.count) lengths for tokens \(shape)")
        let selfMask = AttentionMask.causal(shape[1])                                  // [1, 1, U, U]
        let memoryMask = AttentionMask.padding(lengths: memoryLengths, frames: memory.shape[1])   // [B, 1, 1, T]
        var h = drop(embed(tokens, shape: shape, offset: 0))                            // [B, U, D]
        for layer in layers { h = apply(layer, h, selfMask, memoryMask) }
        return outputProj(finalNorm(h))                                                 // [B, U, V]
    }

    /// Embedding × √D plus positions offset..<offset+U: tokens [B, U] → [B, U, D].
    func embed(_ tokens: [Int], shape: [Int], offset: Int) -> Tensor {
        let pe = PositionalEncoding.sinusoidal(length: shape[1], dim: dim, offset: offset)    // [U, D]
        return embedding(tokens, shape: shape).scaled(Float(dim).squareRoot()) + pe
    }
}
