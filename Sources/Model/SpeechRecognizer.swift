// The whole attention encoder-decoder: front-end normalization, listener, speller, optional CTC head, and
// the decoding contract (initial state, step, reorder) that every search uses.
import Features
import Foundation
import NN
import Tensor

/// Decoding state for B hypotheses: the encoder memory (rows per hypothesis) and the speller state (LSTM
/// speller), or the Transformer decoder's caches.
public struct DecodingState {
    public var memory: AttentionMemory
    public var speller: SpellerState?
    public var transformer: TransformerDecoder.State?
    /// Whether every row's memory is the same utterance (beam search over one input), so reordering
    /// hypotheses never needs to move encoder memory.
    public var singleUtterance: Bool
}

/// What one decoding step returns: log-probabilities [B, V] and attention weights [B, T], flat row-major.
public struct StepOutput {
    public var logProbs: [Float]
    public var attention: [Float]
    public var state: DecodingState
}

/// A LAS-style speech recognizer. Shapes: features [B, T, F]; encoder output [B, T', E]; logits [B, U, V].
public final class SpeechRecognizer: Layer {
    public let config: ModelConfig
    public let listener: Listener
    /// The LSTM speller (decoder kind lstm) …
    public let speller: Speller?
    /// … or the Transformer decoder (kind transformer), reading the encoder output projected to its width.
    public let transformerDecoder: TransformerDecoder?
    public let memoryProj: Linear?
    public let ctcHead: Linear?
    /// The training-only speaker classifier (`config.speakerClasses` > 0), read through a gradient reversal.
    public let speakerHead: SpeakerClassifier?

    /// A freshly initialised model (seeded by `config.seed`).
    public init(config: ModelConfig) {
        self.config = config
        var rng = RNG(seed: config.seed)
        listener = Listener(config: config, rng: &rng)
        speller = config.decoder.kind == .lstm ? Speller(config: config, rng: &rng) : nil
        if config.decoder.kind == .transformer {
            let d = config.decoder
            transformerDecoder = TransformerDecoder(vocabulary: config.vocabulary.count, dim: d.hidden, heads: d.heads,
                                                    feedForward: d.feedForward, layers: d.layers, dropout: d.dropout, rng: &rng)
            memoryProj = config.encoderOutputDim == d.hidden ? nil : Linear(config.encoderOutputDim, d.hidden, rng: &rng)
        } else {
            transformerDecoder = nil
            memoryProj = nil
        }
        ctcHead = config.ctcWeight > 0 ? Linear(config.encoderOutputDim, config.vocabulary.count, rng: &rng) : nil
        speakerHead = config.speakerClasses > 0
            ? SpeakerClassifier(input: config.encoderOutputDim, hidden: config.encoderOutputDim, classes: config.speakerClasses, rng: &rng) : nil
    }

    public var namedParameters: [(String, Tensor)] {
        scoped("encoder", listener)
            + scoped("decoder", speller) + scoped("decoder", transformerDecoder) + scoped("decoder.memory", memoryProj)
            + scoped("ctc", ctcHead) + scoped(SpeakerClassifier.scope, speakerHead)
    }

    public var vocabulary: Vocabulary { config.vocabulary }

    // MARK: front end

    /// Log-mel features of 16 kHz samples, normalized as the model was trained: [T, F].
    public func features(samples: [Float]) throws -> FeatureMatrix {
        normalize(try LogMelExtractor.compute(samples, config: config.features))
    }

    /// Applies the model's normalization to raw log-mel features.
    public func normalize(_ m: FeatureMatrix) -> FeatureMatrix { config.normalization.apply(m) }

    /// Pads utterances into a batch: [B, T_max, F] and lengths.
    public static func batch(_ utterances: [FeatureMatrix]) -> (Tensor, [Int]) {
        let f = utterances.first?.dim ?? 0
        let t = utterances.map(\.frames).max() ?? 0
        var data = [Float](repeating: 0, count: utterances.count * t * f)
        for (i, u) in utterances.enumerated() {
            data.replaceSubrange((i * t * f)..<(i * t * f + u.data.count), with: u.data)
        }
        return (Tensor(shape: [utterances.count, t, f], data: data), utterances.map(\.frames))
    }

    // MARK: forward

    /// Encoder: features [B, T, F] → memory over [B, T', E]. `streaming` overrides the config's chunking
    /// (pass the config's to train with the streaming constraint).
    /// `dropoutRNG` turns on the encoder's dropout (training).
    public func encode(_ x: Tensor, lengths: [Int], streaming: ChunkSpec? = nil,
                       dropoutRNG: UnsafeMutablePointer<RNG>? = nil) -> (values: Tensor, lengths: [Int]) {
        listener(x, lengths: lengths, streaming: streaming, trainingRNG: dropoutRNG)
    }

    /// Teacher-forced (or scheduled-sampling) pass: logits [B, U, V] for decoder inputs
    /// `inputs[b]` = [sos, y_1, ..., y_{U−1}] (padded with pad). `chooseInput(step, reference, logits)`
    /// may replace the reference tokens fed at step ≥ 1 with the model's own predictions.
    public func decodeTeacherForced(values: Tensor, lengths: [Int], inputs: [[Int]],
                                    chooseInput: ((Int, [Int], Tensor) -> [Int])? = nil,
                                    dropoutRNG: UnsafeMutablePointer<RNG>? = nil) -> Tensor {
        decodeTeacherForcedWithAttention(values: values, lengths: lengths, inputs: inputs, chooseInput: chooseInput, dropoutRNG: dropoutRNG).logits
    }

    /// `decodeTeacherForced`, also returning the LSTM speller's attention weights [B, U, T'] on the tape (nil for
    /// the Transformer decoder), for an alignment loss.
    public func decodeTeacherForcedWithAttention(values: Tensor, lengths: [Int], inputs: [[Int]],
                                                 chooseInput: ((Int, [Int], Tensor) -> [Int])? = nil,
                                                 dropoutRNG: UnsafeMutablePointer<RNG>? = nil) -> (logits: Tensor, attention: Tensor?) {
        let b = inputs.count, u = inputs.map(\.count).max() ?? 0
        if let decoder = transformerDecoder {
            // Teacher forcing in one pass; scheduled sampling in two (Mihaylova & Martins 2019): pass 1
            // teacher-forced without gradient, its predictions mixed into the inputs of pass 2.
            let memory = memoryProj.map { $0(values) } ?? values
            var tokens = [Int](repeating: Vocabulary.pad, count: b * u)
            for (i, row) in inputs.enumerated() { for (j, t) in row.enumerated() { tokens[i * u + j] = t } }
            if let chooseInput {
                let first = Tensor.withoutGrad { decoder(tokens: tokens, shape: [b, u], memory: memory, memoryLengths: lengths) }  // [B, U, V]
                let v = first.shape[2]
                for j in 1..<max(u, 1) {
                    let reference = (0..<b).map { tokens[$0 * u + j] }
                    var rows = [Float]()
                    rows.reserveCapacity(b * v)
                    for i in 0..<b {
                        let start = (i * u + j - 1) * v
                        rows += first.data[start..<(start + v)]
                    }
                    let previous = Tensor(shape: [b, v], data: rows)
                    for (i, t) in chooseInput(j, reference, previous).enumerated() { tokens[i * u + j] = t }
                }
            }
            if let dropoutRNG {
                return (decoder.forward(tokens: tokens, shape: [b, u], memory: memory, memoryLengths: lengths, rng: &dropoutRNG.pointee), nil)
            }
            return (decoder(tokens: tokens, shape: [b, u], memory: memory, memoryLengths: lengths), nil)
        }
        let speller = self.speller!
        let memory = speller.attention.prepare(values, lengths: lengths)
        var state = speller.initialState(memory: memory)
        var steps = [Tensor](), alignments = [Tensor]()
        var previousLogits: Tensor?
        let drop = Tensor.dropper(config.decoder.dropout, rng: dropoutRNG)
        for i in 0..<u {
            var tokens = inputs.map { i < $0.count ? $0[i] : Vocabulary.pad }
            if let chooseInput, let previousLogits, i > 0 { tokens = chooseInput(i, tokens, previousLogits) }
            let (logits, next) = speller.step(tokens, state: state, memory: memory, drop: drop)
            steps.append(logits.reshaped([b, 1, logits.shape[1]]))
            alignments.append(next.alignment.reshaped([b, 1, next.alignment.shape[1]]))
            state = next
            previousLogits = logits
        }
        return (Tensor.concat(steps, axis: 1), alignments.isEmpty ? nil : Tensor.concat(alignments, axis: 1))  // [B, U, V], [B, U, T']
    }

    /// The CTC head's log-probabilities [length, V] (row-major) for the first utterance of encoder output
    /// `values` [1, T', E]; nil without a CTC head.
    public func ctcLogProbs(values: Tensor, length: Int) -> [Float]? {
        guard let head = ctcHead, length > 0 else { return nil }
        return Tensor.withoutGrad {
            let e = values.shape[2]
            let rows = values.slice(axis: 0, 0..<1).reshaped([values.shape[1], e]).slice(axis: 0, 0..<min(length, values.shape[1]))
            return head(rows).logSoftmax().data
        }
    }

    // MARK: decoding contract

    /// Initial decoding state for one utterance's encoder output values [1, T', E], expanded to `hypotheses` rows.
    public func initialState(values: Tensor, length: Int, hypotheses: Int = 1) -> DecodingState {
        Tensor.withoutGrad {
            var memory = speller?.attention.prepare(values, lengths: [length]) ?? AttentionMemory(values: values, keys: nil, lengths: [length])
            let transformer = transformerDecoder.map {
                $0.initialState(memory: memoryProj.map { $0(values) } ?? values, memoryLengths: [length], hypotheses: hypotheses)
            }
            if hypotheses > 1 { memory = memory.select([Int](repeating: 0, count: hypotheses)) }
            return DecodingState(memory: memory, speller: speller?.initialState(memory: memory), transformer: transformer, singleUtterance: true)
        }
    }

    /// step(previous tokens, state) → (log-probs [B, V], attention [B, T], new state). No tape.
    public func step(_ tokens: [Int], state: DecodingState) -> StepOutput {
        Tensor.withoutGrad {
            if let decoder = transformerDecoder, let ts = state.transformer {
                let (logProbs, next, attention) = decoder.step(previousTokens: tokens, state: ts)
                var out = state
                out.transformer = next
                return StepOutput(logProbs: logProbs.data, attention: attention.data, state: out)
            }
            let (logits, next) = speller!.step(tokens, state: state.speller!, memory: state.memory)
            let logProbs = logits.logSoftmax()
            var out = state
            out.speller = next
            return StepOutput(logProbs: logProbs.data, attention: next.alignment.data, state: out)
        }
    }

    /// Keeps and reorders hypotheses: row i of the result is row indices[i] of `state`.
    public func reorder(_ state: DecodingState, indices: [Int]) -> DecodingState {
        Tensor.withoutGrad {
            let keep = state.singleUtterance && state.memory.values.shape[0] == indices.count
            let memory = keep ? state.memory : state.memory.select(indices)
            return DecodingState(memory: memory, speller: state.speller?.select(indices),
                                 transformer: state.transformer.map { transformerDecoder!.reorder($0, indices: indices) },
                                 singleUtterance: state.singleUtterance)
        }
    }
}
