// Audio samples in, text out: features → encoder → greedy or beam search, with per-token attention
// alignments kept for timestamps. The high-level entry point the CLI and evaluation use.
import Features
import Foundation
import Model
import Tensor

/// One transcription result.
public struct Transcription: Sendable {
    public var text: String
    public var hypotheses: [Hypothesis]
    /// Seconds of audio and encoder frames per second (to turn alignments into times).
    public var duration: Double
    public var encoderFrameRate: Double
    /// The CTC head's log-probabilities [frames, V] over the encoder output, when the model has one.
    public var ctcLogProbs: [Float]?
    public var frames: Int

    /// The best hypothesis' words with times (CTC alignment when available, attention otherwise), shifted by
    /// `offset` seconds.
    public func words(model: SpeechRecognizer, offset: Double = 0) -> [WordTiming] {
        guard let best = hypotheses.first else { return [] }
        return Timestamps.words(best, model: model, ctcLogProbs: ctcLogProbs, frames: frames, offset: offset, limit: offset + duration)
    }
}

public struct Transcriber {
    public let model: SpeechRecognizer
    /// nil = greedy.
    public var beam: BeamOptions?

    public init(model: SpeechRecognizer, beam: BeamOptions? = nil) {
        self.model = model
        self.beam = beam
    }

    /// Transcribes 16 kHz mono samples.
    public func transcribe(samples: [Float]) throws -> Transcription {
        let features = try model.features(samples: samples)
        return transcribe(features: features, duration: Double(samples.count) / Double(model.config.features.sampleRate))
    }

    /// Transcribes normalized features [T, F].
    public func transcribe(features: FeatureMatrix, duration: Double) -> Transcription {
        let (x, lengths) = SpeechRecognizer.batch([features])
        let e = model.config.encoder
        let (values, outLengths) = Tensor.withoutGrad { model.encode(x, lengths: lengths, streaming: e.offlineChunked ? e.streaming : nil) }
        let decoder = UtteranceDecoder(model: model, values: values, length: outLengths[0])
        let ctcLogProbs = model.ctcLogProbs(values: values, length: outLengths[0])
        let hyps: [Hypothesis]
        if let beam, beam.beam > 1 {
            hyps = BeamSearch(options: beam).decode(decoder, ctc: CTCPrefixScorer(model: model, logProbs: ctcLogProbs, frames: outLengths[0]))
        } else {
            hyps = [GreedySearch(maxLengthRatio: beam?.maxLengthRatio ?? 1.5).decode(decoder)]
        }
        return Transcription(text: model.vocabulary.decode(hyps[0].tokens), hypotheses: hyps, duration: duration,
                             encoderFrameRate: model.config.encoderFrameRate,
                             ctcLogProbs: ctcLogProbs, frames: outLengths[0])
    }
}
