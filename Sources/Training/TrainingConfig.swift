// Every hyperparameter of a training run, seed first; Codable JSON saved with every checkpoint. Keys a config
// file leaves out take these defaults; unknown keys are errors.
import Foundation
import Model

/// Scheduled sampling (Bengio et al. 2015): the probability of feeding the decoder its own previous prediction
/// instead of the reference ramps from 0 to `maxProbability` over `rampSteps` after `startStep`.
public struct ScheduledSamplingConfig: Codable, Equatable, Sendable {
    public enum Schedule: String, Codable, Sendable { case linear, exponential, inverseSigmoid = "inverse_sigmoid" }
    public var maxProbability: Float = 0
    public var schedule: Schedule = .linear
    public var startStep: Int = 0
    public var rampSteps: Int = 1000
    /// true: feed a token sampled from the softmax; false: the argmax.
    public var sample: Bool = false
    public init() {}

    /// Probability of feeding the model's own token at `step`.
    public func probability(step: Int) -> Float {
        guard maxProbability > 0, step >= startStep else { return 0 }
        let x = Double(step - startStep) / Double(max(rampSteps, 1))
        let ramp: Double
        switch schedule {
        case .linear: ramp = min(x, 1)
        case .exponential: ramp = 1 - pow(0.01, min(x, 1))          // 0 at start, 0.99 at rampSteps
        case .inverseSigmoid: ramp = 1 - 1 / (1 + exp(10 * (x - 0.5)))  // midpoint at rampSteps / 2
        }
        return maxProbability * Float(ramp)
    }
}

/// Guided attention (Tachibana et al. 2018, used for Tacotron in ESPnet): a loss on the LSTM speller's attention
/// weights α[u, t] that grows with their distance from the diagonal, Σ α·(1 − exp(−(t/T − u/U)² / 2σ²)) averaged
/// over output steps. Speech is read at a roughly even pace, so the diagonal is a good prior; it gets attention
/// aligned in hundreds of steps instead of thousands. Applied with `weight` until `untilStep` (0 = always).
public struct GuidedAttentionConfig: Codable, Equatable, Sendable {
    public var weight: Float = 0
    public var sigma: Float = 0.2
    public var untilStep: Int = 0
    public init() {}

    /// The weight at `step` (0 once past `untilStep`).
    public func weight(step: Int) -> Float { untilStep > 0 && step >= untilStep ? 0 : weight }
}

/// SpecAugment on normalized features: frequency and time masks filled with 0 (the normalized mean).
public struct SpecAugmentConfig: Codable, Equatable, Sendable {
    public var frequencyMasks: Int = 2
    public var frequencyWidth: Int = 15
    public var timeMasks: Int = 2
    public var timeWidth: Int = 40
    /// A time mask covers at most this fraction of the utterance.
    public var maxTimeFraction: Float = 0.2
    public var enabled: Bool = true
    public init() {}
}

/// Vocal tract length perturbation of each training utterance's log-mel features (Jaitly & Hinton 2013): the
/// frequency axis is warped by α drawn uniformly from [1 − max_warp, 1 + max_warp]. 0 = off.
public struct VTLPConfig: Codable, Equatable, Sendable {
    public var maxWarp: Float = 0
    public init() {}
}

/// Speaker-adversarial training (Meng et al. 2018; the gradient reversal of Ganin & Lempitsky 2015): the model's
/// speaker classifier (`model.speaker_classes` > 0) learns to name each encoder frame's voice (the manifest's "voice"
/// or "speaker" key; one class per distinct value, sorted) with loss weight `weight`, while the gradient reaching the
/// encoder is reversed and scaled by λ, which ramps linearly from 0 to `reversal` over `ramp_steps` (counted from the
/// run's step 0). The encoder so learns features the classifier cannot tell voices apart by. 0 = off.
public struct SpeakerAdversaryConfig: Codable, Equatable, Sendable {
    public var weight: Float = 0
    public var reversal: Float = 1
    public var rampSteps: Int = 1000
    /// Variants of one voice are one class: a voice's "+variant" suffix (espeak-ng's "espeak-ng/en-us+m3") is dropped.
    public var foldVariants: Bool = true
    public init() {}

    /// The class name of a manifest voice.
    public func className(_ voice: String) -> String {
        foldVariants ? String(voice.prefix { $0 != "+" }) : voice
    }

    /// λ at `step`.
    public func lambda(step: Int) -> Float { reversal * min(Float(step) / Float(max(rampSteps, 1)), 1) }
}

/// Minimum word error rate training (Prabhavalkar et al. 2018): each training utterance is decoded by a beam
/// search of `beam` hypotheses, and the loss gains `weight` × the expected word errors over that N-best list
/// (probabilities renormalized over it, its mean errors subtracted). The cross-entropy and CTC terms stay. Meant for
/// fine-tuning a trained model: a young model's lists are noise. 0 = off.
public struct MWERConfig: Codable, Equatable, Sendable {
    public var weight: Float = 0
    public var beam: Int = 4
    /// λ of the N-best search: joint CTC/attention decoding when the model has a CTC head, as `scribe transcribe`
    /// searches (`--ctc-weight`); 0 = attention only.
    public var ctcWeight: Float = 0
    /// The N-best search's length normalization α (`--length-penalty`): hypotheses ranked by score / length^α.
    public var lengthPenalty: Float = 1
    /// false: the term is left out of the batches that train the streaming (chunked) encoder, so that only
    /// full-context batches carry it (`streaming_fraction`).
    public var streaming: Bool = true
    /// true: each list's probabilities are the search's own joint scores ((1 − λ) attention + λ CTC, the CTC part a
    /// constant), so the term ranks the list as the search that made it does; false: the speller's alone (stages 46-51).
    /// Matters only with `ctcWeight` > 0.
    public var searchScores: Bool = false
    public init() {}
}

/// The search that scores validation and so picks the best checkpoint: beam 1 is greedy (the default). A model
/// whose greedy output loops (a young attention decoder) is better judged with a joint CTC beam.
public struct ValidSearchConfig: Codable, Equatable, Sendable {
    public var beam: Int = 1
    /// Joint CTC weight λ of the beam search when beam > 1 and the model has a CTC head.
    public var ctcWeight: Float = 0.3
    public init() {}
}

public struct TrainingConfig: Codable, Equatable, Sendable {
    public var seed: UInt64 = 1
    public var model: ModelConfig = ModelConfig()
    /// Padded frames per batch (batch size × longest utterance) and utterances per batch, at most.
    public var maxBatchFrames: Int = 16 * 800
    public var maxBatchSize: Int = 16
    public var epochs: Int = 10
    /// Epochs at the start that visit batches shortest first instead of shuffled (0 = none).
    public var curriculumEpochs: Int = 0
    /// Stop after this many optimizer steps (0 = run all epochs).
    public var maxSteps: Int = 0
    /// How a training step uses several threads. Both are deterministic for a given thread count; they differ in
    /// the order floating-point sums are taken, so a run's numbers depend on the mode.
    /// - blas: BLAS threads inside each matrix product (and the large elementwise kernels split).
    /// - batch: data parallel: the batch is split into `threads` shards, each run forward and backward on its own
    ///   thread and model replica with single-threaded BLAS, and their gradients are added.
    public enum ParallelMode: String, Codable, Sendable, CaseIterable { case blas, batch }
    public enum OptimizerKind: String, Codable, Sendable { case adam, adamw, sgd }
    public var optimizer: OptimizerKind = .adam
    public var learningRate: Float = 1e-3
    public var weightDecay: Float = 0
    public enum ScheduleKind: String, Codable, Sendable { case constant, noam, cosine, exponential }
    public var schedule: ScheduleKind = .noam
    public var warmupSteps: Int = 500
    public var gradientClip: Float = 5
    public var labelSmoothing: Float = 0.1
    public var scheduledSampling = ScheduledSamplingConfig()
    public var guidedAttention = GuidedAttentionConfig()
    public var specAugment = SpecAugmentConfig()
    /// Warps each training utterance's frequency axis before SpecAugment (off by default).
    public var vtlp = VTLPConfig()
    /// Speaker-adversarial training of the encoder (off by default).
    public var speakerAdversary = SpeakerAdversaryConfig()
    /// Minimum word error rate training on the model's own N-best lists (off by default).
    public var mwer = MWERConfig()
    /// Train the encoder with its streaming (chunked) constraint on this fraction of batches (0...1).
    public var streamingFraction: Float = 0
    public var validEvery: Int = 500
    /// How validation decodes (greedy unless set).
    public var validSearch = ValidSearchConfig()
    public var checkpointEvery: Int = 500
    public var keepCheckpoints: Int = 5
    /// Average the last K checkpoints into the final model (1 = no averaging).
    public var averageLast: Int = 1
    /// Threads: 1 runs BLAS single-threaded (bit-reproducible); more use that many cores, as `parallel` says.
    public var threads: Int = 2
    /// How a step uses `threads` > 1: BLAS threads inside each op, or the batch split into one shard per thread.
    public var parallel: ParallelMode = .blas

    public init() {}

    public static func load(_ path: String) throws -> TrainingConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw TrainingError.io(path: path, reason: "cannot read config") }
        var optional = [String: [String]]()
        for (k, v) in ModelConfig.optionalKeys { optional["model.\(k)"] = v }
        let c: TrainingConfig
        do {
            c = try JSONConfig.decode(TrainingConfig.self, from: data, defaults: TrainingConfig(), optionalKeys: optional, path: path)
        }
        try c.validate(path: path)
        return c
    }

    public func validate(path: String) throws {
        func bad(_ f: String, _ r: String) -> TrainingError { .badConfig(path: path, field: f, reason: r) }
        try model.validate(path: path, requireStatistics: false)
        guard maxBatchFrames > 0, maxBatchSize > 0 else { throw bad("max_batch_frames", "batch limits must be positive") }
        guard epochs > 0 || maxSteps > 0 else { throw bad("epochs", "need epochs > 0 or max_steps > 0") }
        guard learningRate > 0, learningRate.isFinite else { throw bad("learning_rate", "must be positive, got \(learningRate)") }
        guard (0..<1).contains(labelSmoothing) else { throw bad("label_smoothing", "must be in [0, 1), got \(labelSmoothing)") }
        guard (0...1).contains(scheduledSampling.maxProbability) else { throw bad("scheduled_sampling.max_probability", "must be in [0, 1]") }
        guard (0...1).contains(streamingFraction) else { throw bad("streaming_fraction", "must be in [0, 1]") }
        guard gradientClip > 0 else { throw bad("gradient_clip", "must be positive") }
        guard validEvery > 0, checkpointEvery > 0, keepCheckpoints > 0, averageLast >= 1 else {
            throw bad("checkpoint_every", "valid_every, checkpoint_every, keep_checkpoints and average_last must be positive")
        }
        guard (1...64).contains(threads) else { throw bad("threads", "must be 1...64") }
        guard guidedAttention.weight >= 0, guidedAttention.weight.isFinite, guidedAttention.sigma > 0, guidedAttention.untilStep >= 0 else {
            throw bad("guided_attention", "needs weight >= 0, sigma > 0 and until_step >= 0")
        }
        guard curriculumEpochs >= 0 else { throw bad("curriculum_epochs", "must be >= 0") }
        guard (1...16).contains(validSearch.beam), (0...1).contains(validSearch.ctcWeight) else {
            throw bad("valid_search", "needs beam in 1...16 and ctc_weight in 0...1, got beam \(validSearch.beam), ctc_weight \(validSearch.ctcWeight)")
        }
        guard (0..<0.5).contains(vtlp.maxWarp) else { throw bad("vtlp.max_warp", "must be in [0, 0.5), got \(vtlp.maxWarp) (0.1 is usual)") }
        guard speakerAdversary.weight >= 0, speakerAdversary.weight.isFinite, speakerAdversary.reversal >= 0,
              speakerAdversary.reversal.isFinite, speakerAdversary.rampSteps >= 0 else {
            throw bad("speaker_adversary", "needs weight >= 0, reversal >= 0 and ramp_steps >= 0")
        }
        guard mwer.weight >= 0, mwer.weight.isFinite, (2...16).contains(mwer.beam) else {
            throw bad("mwer", "needs weight >= 0 and beam in 2...16, got weight \(mwer.weight), beam \(mwer.beam)")
        }
        guard (0...1).contains(mwer.ctcWeight), (0...3).contains(mwer.lengthPenalty) else {
            throw bad("mwer", "needs ctc_weight in 0...1 and length_penalty in 0...3, got ctc_weight \(mwer.ctcWeight), length_penalty \(mwer.lengthPenalty)")
        }
        if mwer.weight > 0 && mwer.ctcWeight > 0 && (model.ctcWeight <= 0) {
            throw bad("mwer.ctc_weight", "needs a model with a CTC head (model.ctc_weight > 0)")
        }
        if speakerAdversary.weight > 0 && model.speakerClasses == 0 {
            throw bad("speaker_adversary.weight", "needs model.speaker_classes (at least the number of voices in the training manifest)")
        }
        if streamingFraction > 0 && model.encoder.streaming == nil {
            throw bad("streaming_fraction", "needs model.encoder.streaming (chunk and lookahead)")
        }
    }
}
