// What a checkpoint records besides weights and optimizer moments: position in the data, the RNG, the best
// validation result so far. Together they make `--resume` continue the same run exactly.
import Foundation
import Tensor

public struct TrainerState: Codable, Equatable {
    /// Optimizer steps taken.
    public var step: Int = 0
    /// Current epoch (0-based) and the next batch within it.
    public var epoch: Int = 0
    public var batchInEpoch: Int = 0
    /// The RNG driving SpecAugment, scheduled sampling and streaming-mode draws.
    public var rng: RNG
    public var bestWER: Double?
    public var bestStep: Int?
    /// Seconds of training so far (across resumes).
    public var elapsed: Double = 0

    public init(seed: UInt64) { rng = RNG(seed: seed ^ 0x5C21_BE00) }

    /// Checkpoints use snake_case keys: `bestWER` is written as "best_wer", which reads back as "bestWer", so
    /// that is its key (without it, every resume forgot the best WER and the next validation replaced the best model).
    enum CodingKeys: String, CodingKey {
        case step, epoch, batchInEpoch, rng, bestWER = "bestWer", bestStep, elapsed
    }
}

/// One line of the JSON Lines training log.
public struct TrainingLogEntry: Codable, Sendable {
    public var step: Int
    public var epoch: Int
    public var kind: String          // "train" or "valid"
    public var loss: Double?
    /// The loss's cross-entropy and CTC parts (train entries of runs with a CTC head).
    public var crossEntropy: Double?
    public var ctc: Double?
    /// The guided-attention loss (unweighted) while it applies.
    public var guidedAttention: Double?
    /// Speaker-adversarial runs: the speaker classifier's loss (unweighted), its frame accuracy (chance is about one
    /// over the number of voices; an encoder that hides the voice keeps it low) and the step's reversal λ.
    public var speaker: Double?
    public var speakerAccuracy: Double?
    public var speakerLambda: Double?
    /// Minimum-WER training: the mean expected word errors over the batch's N-best lists (when it applied).
    public var mwerExpectedErrors: Double?
    public var learningRate: Double?
    public var samplingProbability: Double?
    public var validLoss: Double?
    public var cer: Double?
    public var wer: Double?
    public var elapsed: Double
    public var audioSecondsPerSecond: Double?
    /// How validation decoded (valid entries): "greedy" or e.g. "beam 4, CTC 0.15". Logs written before it existed
    /// lack it; a run whose search changed (`--valid-beam` on resume) has WERs of two kinds.
    public var search: String?
}
