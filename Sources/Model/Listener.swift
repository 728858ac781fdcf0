// The BiLSTM encoder ("listener"): conv 4× subsampling or LAS's pyramidal frame stacking, then a stack of
// bidirectional (or unidirectional, or latency-controlled) LSTM layers.
import NN
import Tensor

/// features [B, T, F] + lengths → encoder output [B, T', E] + lengths'.
public final class Listener: Layer {
    public let config: ModelConfig
    public let conv: ConvSubsampling?
    public let layers: [BiLSTMLayer]

    public init(config: ModelConfig, rng: inout RNG) {
        self.config = config
        let sub = config.subsampling
        conv = sub.kind == .conv2d ? ConvSubsampling(inputDim: config.features.nMels, channels: sub.channels, rng: &rng) : nil
        var layers = [BiLSTMLayer]()
        var input = sub.kind == .conv2d ? config.subsampledDim : config.features.nMels
        for i in 0..<config.encoder.layers {
            if sub.kind == .pyramid && i < sub.pyramidLevels { input *= 2 }
            let layer = BiLSTMLayer(input: input, hidden: config.encoder.hidden, bidirectional: config.encoder.bidirectional, rng: &rng)
            layers.append(layer)
            input = layer.outputDim
        }
        self.layers = layers
    }

    public var namedParameters: [(String, Tensor)] {
        scoped("conv", conv) + layers.enumerated().flatMap { scoped("lstm\($0.offset)", $0.element) }
    }

    /// Frames after subsampling for `frames` input frames.
    public func outputLength(_ frames: Int) -> Int {
        switch config.subsampling.kind {
        case .conv2d: return ConvSubsampling.outputLength(frames)
        case .pyramid: return frames >> min(config.subsampling.pyramidLevels, config.encoder.layers)
        case .none: return frames
        }
    }

    /// Concatenates frame pairs: [B, T, F] → [B, ⌊T/2⌋, 2F] (an odd last frame is dropped).
    static func stackPairs(_ x: Tensor) -> Tensor {
        let (b, t, f) = (x.shape[0], x.shape[1], x.shape[2])
        let even = x.slice(axis: 1, 0..<(t / 2 * 2))
        return even.reshaped([b, t / 2, 2 * f])
    }

    /// x [B, T, F] (normalized features), lengths → ([B, T', E], lengths'). `streaming` applies the
    /// latency-controlled backward direction (defaults to the config's).
    public func callAsFunction(_ x: Tensor, lengths: [Int], streaming: ChunkSpec? = nil) -> (Tensor, [Int]) {
        var h = x
        if let conv { h = conv(h, lengths: lengths) }                                              // [B, T/4, C·F/4]
        var curLengths = config.subsampling.kind == .conv2d ? lengths.map(ConvSubsampling.outputLength) : lengths
        for (i, layer) in layers.enumerated() {
            if config.subsampling.kind == .pyramid && i < config.subsampling.pyramidLevels {
                h = Self.stackPairs(h)
                curLengths = curLengths.map { $0 / 2 }
            }
            h = layer(h, lengths: curLengths, chunks: streaming)                 // [B, T', E]
        }
        return (h, curLengths)
    }
}
