// The encoder ("listener"): conv 4× (or 2×) subsampling or LAS's pyramidal frame stacking, then either a stack of
// bidirectional (or unidirectional, or latency-controlled) LSTM layers or a Transformer encoder (chunk-masked
// for streaming).
import NN
import Tensor

/// features [B, T, F] + lengths → encoder output [B, T', E] + lengths'.
public final class Listener: Layer {
    public let config: ModelConfig
    public let conv: ConvSubsampling?
    public let layers: [BiLSTMLayer]
    public let transformer: TransformerEncoder?

    public init(config: ModelConfig, rng: inout RNG) {
        self.config = config
        let sub = config.subsampling
        conv = sub.kind == .conv2d
            ? ConvSubsampling(inputDim: config.features.nMels, channels: sub.channels, timeReduction: sub.timeReduction, rng: &rng)
            : nil
        var layers = [BiLSTMLayer]()
        var input = config.subsampledDim
        if config.encoder.kind == .transformer {
            let e = config.encoder
            transformer = TransformerEncoder(inputDim: input, dim: e.dModel, heads: e.heads, feedForward: e.feedForward,
                                             layers: e.layers, dropout: e.dropout, rng: &rng)
            self.layers = []
            return
        }
        transformer = nil
        for i in 0..<config.encoder.layers {
            if sub.kind == .pyramid && i < sub.pyramidLevels { input *= 2 }
            let layer = BiLSTMLayer(input: input, hidden: config.encoder.hidden, bidirectional: config.encoder.bidirectional, rng: &rng)
            layers.append(layer)
            input = layer.outputDim
        }
        self.layers = layers
    }

    public var namedParameters: [(String, Tensor)] {
        scoped("conv", conv) + layers.enumerated().flatMap { scoped("lstm\($0.offset)", $0.element) } + scoped("transformer", transformer)
    }

    /// Frames after subsampling for `frames` input frames.
    public func outputLength(_ frames: Int) -> Int {
        switch config.subsampling.kind {
        case .conv2d: return ConvSubsampling.outputLength(frames, timeReduction: config.subsampling.timeReduction)
        case .pyramid: return frames >> (transformer != nil ? config.subsampling.pyramidLevels : min(config.subsampling.pyramidLevels, config.encoder.layers))
        case .none: return frames
        }
    }

    /// Width of the encoder output.
    public var outputDim: Int { transformer?.dim ?? layers.last!.outputDim }

    /// Concatenates frame pairs: [B, T, F] → [B, ⌊T/2⌋, 2F] (an odd last frame is dropped).
    static func stackPairs(_ x: Tensor) -> Tensor {
        let (b, t, f) = (x.shape[0], x.shape[1], x.shape[2])
        let even = x.slice(axis: 1, 0..<(t / 2 * 2))
        return even.reshaped([b, t / 2, 2 * f])
    }

    /// x [B, T, F] (normalized features), lengths → ([B, T', E], lengths'). `streaming` applies the
    /// latency-controlled backward direction (defaults to the config's), per layer or with a shared look-ahead
    /// (`ChunkSpec.mode`).
    public func callAsFunction(_ x: Tensor, lengths: [Int], streaming: ChunkSpec? = nil,
                               trainingRNG: UnsafeMutablePointer<RNG>? = nil) -> (Tensor, [Int]) {
        var h = x
        if let conv { h = conv(h, lengths: lengths) }                                              // [B, T/4 or T/2, C·F/4]
        var curLengths = config.subsampling.kind == .conv2d ? lengths.map(outputLength) : lengths
        if let transformer {
            let chunk = streaming.map { ChunkConfig(chunkSize: $0.chunk, leftChunks: config.encoder.leftChunks, lookAhead: $0.lookahead) }
            if config.subsampling.kind == .pyramid {
                for _ in 0..<config.subsampling.pyramidLevels { h = Self.stackPairs(h); curLengths = curLengths.map { $0 / 2 } }
            }
            if let rng = trainingRNG {
                var r = rng.pointee
                defer { rng.pointee = r }
                return (transformer.forward(h, lengths: curLengths, chunk: chunk, rng: &r), curLengths)
            }
            return (transformer(h, lengths: curLengths, chunk: chunk), curLengths)
        }
        // Training: dropout on the outputs of every BiLSTM layer but the last (as PyTorch's `nn.LSTM(dropout:)`).
        let between = Tensor.dropper(config.encoder.dropout, rng: trainingRNG)
        if let streaming, streaming.mode == .shared, config.subsampling.kind != .pyramid {
            return (SharedLookaheadBiLSTM.encode(layers, h, lengths: curLengths, spec: streaming, between: between), curLengths)
        }
        for (i, layer) in layers.enumerated() {
            if i > 0 { h = between(h) }
            if config.subsampling.kind == .pyramid && i < config.subsampling.pyramidLevels {
                h = Self.stackPairs(h)
                curLengths = curLengths.map { $0 / 2 }
            }
            h = layer(h, lengths: curLengths, chunks: streaming)                 // [B, T', E]
        }
        return (h, curLengths)
    }
}
