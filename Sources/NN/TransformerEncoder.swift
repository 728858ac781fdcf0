// The Transformer encoder (the reference model's alternative to the BiLSTM): Linear in → D, × √D, plus
// sinusoidal positions, N pre-LN encoder layers, final LayerNorm. Offline or chunk-masked for streaming;
// the chunk-by-chunk form is TransformerEncoder.Stream (TransformerEncoderStream.swift).
import Foundation
import Tensor

/// x [B, T, In] with lengths [B] → [B, T, D]. Padded frames (t ≥ length) are never attended to; their
/// own outputs are unspecified. With a `ChunkConfig` every layer also applies the chunk mask.
public final class TransformerEncoder: Layer {
    public let inputProj: Linear
    public let layers: [TransformerEncoderLayer]
    public let finalNorm: LayerNorm
    public let dim: Int
    public let dropout: Float

    /// Reference sizes: inputDim 640, dim 256, heads 4, feedForward 1024, layers 6.
    public init(inputDim: Int, dim: Int = 256, heads: Int = 4, feedForward: Int = 1024, layers: Int = 6,
                dropout: Float = 0, rng: inout RNG) {
        precondition(layers >= 1, "TransformerEncoder: needs at least one layer")
        self.dim = dim
        self.dropout = dropout
        inputProj = Linear(inputDim, dim, rng: &rng)
        self.layers = (0..<layers).map { _ in
            TransformerEncoderLayer(dim: dim, heads: heads, feedForward: feedForward, dropout: dropout, rng: &rng)
        }
        finalNorm = LayerNorm(dim)
    }

    public var namedParameters: [(String, Tensor)] {
        scoped("input", inputProj) + layers.enumerated().flatMap { scoped("layers.\($0.offset)", $0.element) }
            + scoped("norm", finalNorm)
    }

    public var inputDim: Int { inputProj.inFeatures }
    public var heads: Int { layers[0].attention.heads }

    /// The attention mask for a batch: chunk + padding [B, 1, T, T] when streaming, else padding [B, 1, 1, T].
    public static func mask(lengths: [Int], frames: Int, chunk: ChunkConfig?) -> Tensor {
        chunk?.mask(lengths: lengths, frames: frames) ?? AttentionMask.padding(lengths: lengths, frames: frames)
    }

    /// Inference: x [B, T, In], lengths [B] → [B, T, D].
    public func callAsFunction(_ x: Tensor, lengths: [Int], chunk: ChunkConfig? = nil) -> Tensor {
        let mask = Self.mask(lengths: lengths, frames: x.shape[1], chunk: chunk)
        var h = embed(x, offset: 0)                                                  // [B, T, D]
        for layer in layers { h = layer(h, mask: mask) }
        return finalNorm(h)
    }

    /// Training: as `callAsFunction`, with dropout (after the positions and inside every layer) from `rng`.
    public func forward(_ x: Tensor, lengths: [Int], chunk: ChunkConfig? = nil, rng: inout RNG) -> Tensor {
        let mask = Self.mask(lengths: lengths, frames: x.shape[1], chunk: chunk)
        var h = embed(x, offset: 0).dropout(dropout, rng: &rng)                      // [B, T, D]
        for layer in layers { h = layer.forward(h, mask: mask, rng: &rng) }
        return finalNorm(h)
    }

    /// Input projection × √D plus the positions offset..<offset+T: x [B, T, In] → [B, T, D].
    func embed(_ x: Tensor, offset: Int) -> Tensor {
        precondition(x.rank == 3 && x.shape[2] == inputDim, "TransformerEncoder: input \(x.shape), expected [B, T, \(inputDim)]")
        let pe = PositionalEncoding.sinusoidal(length: x.shape[1], dim: dim, offset: offset)   // [T, D]
        return inputProj(x).scaled(Float(dim).squareRoot()) + pe
    }
}
