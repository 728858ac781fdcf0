// The model's Codable configuration, saved as config.json in every model directory and checkpoint:
// front end, normalization statistics, vocabulary, subsampling, encoder, attention, decoder, CTC weight.
import Features
import Foundation
import NN

/// Feature normalization stored with a model.
public struct NormalizationConfig: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case utterance, global, none }
    public var kind: Kind = .utterance
    /// Global statistics (kind global): per-mel-band mean and standard deviation.
    public var mean: [Float]?
    public var std: [Float]?
    /// Online (causal) mean normalization after `kind`'s (nil = none): each frame minus a sliding-window mean of the
    /// frames up to it (`OnlineMeanNormalizer`). Streams get exactly what whole utterances get.
    public var onlineMean: OnlineMeanConfig?
    public init(kind: Kind = .utterance, mean: [Float]? = nil, std: [Float]? = nil, onlineMean: OnlineMeanConfig? = nil) {
        self.kind = kind; self.mean = mean; self.std = std; self.onlineMean = onlineMean
    }

    /// Normalizes raw log-mel features [T, F] as configured.
    public func apply(_ m: FeatureMatrix) -> FeatureMatrix {
        let out = applyKind(m)
        guard let o = onlineMean else { return out }
        return OnlineMeanNormalizer.apply(out, window: o.window, priorFrames: o.priorFrames)
    }

    /// `kind`'s normalization alone (the online mean's input).
    public func applyKind(_ m: FeatureMatrix) -> FeatureMatrix {
        switch kind {
        case .none: return m
        case .utterance: return m.normalizedPerUtterance()
        case .global:
            let mean = self.mean!, std = self.std!
            var out = m
            for t in 0..<m.frames { for f in 0..<m.dim { out.data[t * m.dim + f] = (m.data[t * m.dim + f] - mean[f]) / std[f] } }
            return out
        }
    }
}

/// Settings of online mean normalization (`"online_mean": {"window", "prior_frames"}` in a model config).
public struct OnlineMeanConfig: Codable, Equatable, Sendable {
    /// Frames in the sliding window (300 = 3 s at the 10 ms hop).
    public var window: Int = 300
    /// Pseudo-frames of zero mean the window's mean is shrunk towards (100 = 1 s): short utterances lose less.
    public var priorFrames: Int = 100
    public init(window: Int = 300, priorFrames: Int = 100) { self.window = window; self.priorFrames = priorFrames }
}

public struct SubsamplingConfig: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case conv2d, pyramid, none }
    public var kind: Kind = .conv2d
    /// Conv2d channels.
    public var channels: Int = 32
    /// Conv2d: input frames per encoder frame, 4 (25 encoder frames/s, the reference model) or 2 (50 frames/s:
    /// the second convolution keeps the frame rate). Holds no weights: `scribe train --init` may change it.
    public var timeReduction: Int = 4
    /// Pyramid: number of frame-pair concatenations (each halves the frame rate).
    public var pyramidLevels: Int = 2
    public init() {}
}

public struct EncoderConfig: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case blstm, transformer }
    public var kind: Kind = .blstm
    public var layers: Int = 3
    /// BiLSTM units per direction.
    public var hidden: Int = 256
    public var bidirectional: Bool = true
    /// Transformer width, heads, feed-forward size.
    public var dModel: Int = 256
    public var heads: Int = 4
    public var feedForward: Int = 1024
    /// Dropout probability, training only: Transformer, inside every layer; BiLSTM, on every layer's output but the last.
    public var dropout: Float = 0
    /// Streaming: chunk and look-ahead in encoder frames (after subsampling); nil = offline only.
    public var streaming: ChunkSpec?
    /// Transformer streaming: chunks of left context.
    public var leftChunks: Int = 4
    /// Offline decoding uses the streaming (chunked) encoder too. Off by default: a model trained with the
    /// constraint mixed in (streaming_fraction < 1) decodes files with full context.
    public var offlineChunked: Bool = false
    public init() {}
}

public struct AttentionConfig: Codable, Equatable, Sendable {
    public var kind: AttentionKind = .location
    public var dim: Int = 256
    public var heads: Int = 4
    public var locationFilters: Int = 10
    public var locationKernel: Int = 31
    public init() {}
}

public struct DecoderConfig: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case lstm, transformer }
    public var kind: Kind = .lstm
    public var hidden: Int = 512
    public var embedding: Int = 256
    public var layers: Int = 1
    public var heads: Int = 4
    public var feedForward: Int = 1024
    /// Dropout probability, training only: Transformer, inside every layer; LSTM speller, on the embedding and on the
    /// LSTM output that queries the attention and feeds the output layer.
    public var dropout: Float = 0
    public init() {}
}

/// Everything needed to rebuild a model (weights aside).
public struct ModelConfig: Codable, Equatable, Sendable {
    public static let currentFormatVersion = 1
    public var formatVersion: Int = ModelConfig.currentFormatVersion
    public var features: FeatureConfig = .librosa
    public var normalization: NormalizationConfig = NormalizationConfig()
    public var vocabulary: Vocabulary = .characters
    public var subsampling: SubsamplingConfig = SubsamplingConfig()
    public var encoder: EncoderConfig = EncoderConfig()
    public var attention: AttentionConfig = AttentionConfig()
    public var decoder: DecoderConfig = DecoderConfig()
    /// Weight of the joint CTC loss on the encoder (0: no CTC head).
    public var ctcWeight: Float = 0
    /// Classes of the training-only speaker classifier on the encoder (speaker-adversarial training; 0: none).
    /// Inference never uses it, and a model directory whose config has 0 ignores its weights.
    public var speakerClasses: Int = 0
    /// Random seed of the initialisation.
    public var seed: UInt64 = 1
    /// Search settings the model ships with (`scribe` flags override them).
    public var decoding: DecodingDefaults = DecodingDefaults()

    public init() {}

    /// The reference LAS model of shared/reference/las_reference.md (7.9 M parameters).
    public static let reference = ModelConfig()

    /// Throws `ModelError.badConfig` naming the first inconsistent field. `requireStatistics: false` accepts
    /// global normalization without its statistics (a training config: `scribe train` computes them).
    public func validate(path: String = "config.json", requireStatistics: Bool = true) throws {
        func bad(_ field: String, _ reason: String) -> ModelError { .badConfig(path: path, field: field, reason: reason) }
        guard formatVersion == Self.currentFormatVersion else {
            throw ModelError.formatVersion(path: path, found: formatVersion, supported: Self.currentFormatVersion)
        }
        do { try features.validate() } catch let e as FeaturesError { throw bad("features", e.description) }
        guard vocabulary.count >= 3, vocabulary.tokens[Vocabulary.pad] == "<pad>", vocabulary.tokens[Vocabulary.eos] == "<eos>" else {
            throw bad("vocabulary", "must start with \"<pad>\", \"<eos>\"")
        }
        if normalization.kind == .global && (requireStatistics || normalization.mean != nil || normalization.std != nil) {
            guard let m = normalization.mean, let s = normalization.std, m.count == features.nMels, s.count == features.nMels else {
                throw bad("normalization", "global normalization needs mean and std of \(features.nMels) values (features.n_mels)")
            }
            guard s.allSatisfy({ $0 > 0 && $0.isFinite }), m.allSatisfy(\.isFinite) else { throw bad("normalization.std", "must be positive and finite") }
        }
        if let o = normalization.onlineMean, o.window < 1 || o.window > 100_000 || o.priorFrames < 0 || o.priorFrames > 100_000 {
            throw bad("normalization.online_mean", "needs window in 1...100000 and prior_frames in 0...100000, got \(o.window) and \(o.priorFrames)")
        }
        guard subsampling.channels > 0 else { throw bad("subsampling.channels", "must be positive") }
        guard (0...4).contains(subsampling.pyramidLevels) else { throw bad("subsampling.pyramid_levels", "must be 0...4") }
        guard subsampling.timeReduction == 2 || subsampling.timeReduction == 4 else {
            throw bad("subsampling.time_reduction", "must be 2 or 4, got \(subsampling.timeReduction)")
        }
        guard encoder.layers >= 1, encoder.layers <= 24 else { throw bad("encoder.layers", "must be 1...24, got \(encoder.layers)") }
        guard encoder.hidden > 0 else { throw bad("encoder.hidden", "must be positive") }
        guard encoder.dModel > 0, encoder.heads > 0, encoder.dModel % encoder.heads == 0 else {
            throw bad("encoder.heads", "d_model \(encoder.dModel) must be divisible by heads \(encoder.heads)")
        }
        if let s = encoder.streaming, s.chunk <= 0 || s.lookahead < 0 { throw bad("encoder.streaming", "chunk must be > 0 and lookahead >= 0") }
        if let s = encoder.streaming, s.mode == .shared, encoder.kind != .blstm || subsampling.kind == .pyramid {
            throw bad("encoder.streaming.mode", "shared look-ahead needs a BiLSTM encoder without pyramid subsampling")
        }
        for (field, p) in [("encoder.dropout", encoder.dropout), ("decoder.dropout", decoder.dropout)] {
            guard (0..<1).contains(p) else { throw bad(field, "must be in [0, 1), got \(p)") }
        }
        guard attention.dim > 0 else { throw bad("attention.dim", "must be positive") }
        if attention.kind == .multihead, encoderOutputDim % attention.heads != 0 {
            throw bad("attention.heads", "encoder output \(encoderOutputDim) must be divisible by heads \(attention.heads)")
        }
        guard attention.locationKernel % 2 == 1, attention.locationFilters > 0 else {
            throw bad("attention.location_kernel", "must be odd (got \(attention.locationKernel)), with location_filters > 0")
        }
        guard decoder.hidden > 0, decoder.embedding > 0 else { throw bad("decoder.hidden", "hidden and embedding must be positive") }
        if decoder.kind == .transformer {
            guard decoder.heads > 0, decoder.hidden % decoder.heads == 0 else {
                throw bad("decoder.heads", "decoder hidden \(decoder.hidden) must be divisible by heads \(decoder.heads)")
            }
            guard decoder.layers >= 1, decoder.feedForward > 0 else { throw bad("decoder.layers", "need layers >= 1 and feed_forward > 0") }
        }
        guard (0...4096).contains(speakerClasses) else { throw bad("speaker_classes", "must be in 0...4096, got \(speakerClasses)") }
        guard ctcWeight >= 0, ctcWeight < 1 else { throw bad("ctc_weight", "must be in [0, 1), got \(ctcWeight)") }
        guard (0...1).contains(decoding.ctcWeight) else { throw bad("decoding.ctc_weight", "must be in 0...1, got \(decoding.ctcWeight)") }
        guard (1...256).contains(decoding.beam) else { throw bad("decoding.beam", "must be in 1...256, got \(decoding.beam)") }
        guard (0...5).contains(decoding.lmWeight) else { throw bad("decoding.lm_weight", "must be in 0...5, got \(decoding.lmWeight)") }
        guard (-50...50).contains(decoding.oovPenalty) else { throw bad("decoding.oov_penalty", "must be in -50...50, got \(decoding.oovPenalty)") }
        guard (0...3).contains(decoding.lengthPenalty) else { throw bad("decoding.length_penalty", "must be in 0...3, got \(decoding.lengthPenalty)") }
        guard (0...5).contains(decoding.ilmWeight) else { throw bad("decoding.ilm_weight", "must be in 0...5, got \(decoding.ilmWeight)") }
    }

    /// This config without its decoding defaults and dropout, which hold no weights: two models whose
    /// `architecture`s are equal can share weights (`scribe train --init`, `scribe average`).
    public var architecture: ModelConfig {
        var c = self
        c.decoding = DecodingDefaults()
        c.encoder.dropout = 0
        c.decoder.dropout = 0
        return c
    }

    /// Feature size per encoder input frame after subsampling.
    public var subsampledDim: Int {
        switch subsampling.kind {
        case .conv2d: return subsampling.channels * ConvSubsampling.outputLength(features.nMels)
        case .pyramid: return features.nMels << (encoder.kind == .transformer ? subsampling.pyramidLevels : 0)
        case .none: return features.nMels
        }
    }

    /// Width of the encoder output (the attention's values).
    public var encoderOutputDim: Int {
        encoder.kind == .blstm ? encoder.hidden * (encoder.bidirectional ? 2 : 1) : encoder.dModel
    }

    /// Encoder frames per second.
    public var encoderFrameRate: Double {
        let factor: Int
        switch subsampling.kind {
        case .conv2d: factor = subsampling.timeReduction
        case .pyramid: factor = 1 << subsampling.pyramidLevels
        case .none: factor = 1
        }
        return features.framesPerSecond / Double(factor)
    }
}
