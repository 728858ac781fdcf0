// Minimum word error rate training (Prabhavalkar et al. 2018, "Minimum Word Error Rate Training for
// Attention-based Sequence-to-Sequence Models"): the expected number of word errors over the model's own N-best
// list, the hypotheses' probabilities renormalized over the list and the list's mean errors subtracted as a
// baseline. Cross-entropy trains each step on the reference; this loss trains on what beam search then does.
import Decoding
import Evaluation
import Model
import NN
import Tensor

public enum MinimumWERLoss {
    /// One utterance's N-best list: the hypotheses' tokens (without sos/eos), their word errors and, from `nBest`, the
    /// search's joint log scores ((1 − λ) attention + λ CTC, not length-normalized).
    public struct NBest: Sendable {
        public var tokens: [[Int]]
        public var errors: [Float]
        public var scores: [Float]? = nil
    }

    /// The N-best list of each utterance of a batch, by beam search on the encoder output `values` [B, T', E] (read,
    /// not differentiated) with `beam` hypotheses, and each hypothesis' word errors against `references` (Scribe's
    /// normalizer and jiwer's word alignment, as `scribe eval` counts them). The search is `scribe transcribe`'s
    /// without a language model: joint CTC/attention with weight `ctcWeight` when the model has a CTC head
    /// (0 = attention only), hypotheses ranked by score / length^`lengthPenalty`.
    public static func nBest(model: SpeechRecognizer, values: Tensor, lengths: [Int], references: [String], beam: Int,
                             ctcWeight: Float = 0, lengthPenalty: Float = 1) -> [NBest] {
        let (b, t, e) = (values.shape[0], values.shape[1], values.shape[2])
        precondition(lengths.count == b && references.count == b, "nBest: \(lengths.count) lengths and \(references.count) references for a batch of \(b)")
        var options = BeamOptions(beam: beam)
        options.nBest = beam
        options.ctcWeight = ctcWeight
        options.lengthPenalty = lengthPenalty
        let search = BeamSearch(options: options)
        var scorer = ScoreAccumulator(options: { var o = ScoreOptions(); o.bootstrapReplicates = 0; return o }())
        return (0..<b).map { i in
            let n = min(lengths[i], t)
            let one = Tensor(shape: [1, n, e], data: Array(values.data[(i * t * e)..<((i * t + n) * e)]))
            let hyps = Tensor.withoutGrad {
                let ctc = ctcWeight > 0 ? CTCPrefixScorer(model: model, logProbs: model.ctcLogProbs(values: one, length: n), frames: n) : nil
                return search.decode(UtteranceDecoder(model: model, values: one, length: n), ctc: ctc)
            }
            let errors = hyps.map { h in
                Float(scorer.add(id: "", reference: references[i], hypothesis: model.vocabulary.decode(h.tokens)).words.errors)
            }
            return NBest(tokens: hyps.map(\.tokens), errors: errors, scores: hyps.map(\.logProb))
        }
    }

    /// The loss on the tape: Σ over utterances of Σ_i P̂(y_i) (W(y_i) − W̄), divided by `utterances`, where P̂ is each
    /// hypothesis' sequence probability (teacher-forced through the speller on `values` [B, T', E]) renormalized over
    /// its list and W̄ the list's mean errors. Lists with fewer than two hypotheses or equal errors carry no
    /// gradient and are left out. Returns nil when no list is left, else the loss and the mean expected errors
    /// Σ_i P̂(y_i) W(y_i) of the lists used.
    /// With `attentionWeight` w (1 − λ of a joint search), each hypothesis' log-probability before renormalizing is
    /// instead w × its speller log-probability + the rest of its list score (`NBest.scores` − w × that
    /// log-probability, a constant): its value is the search's joint score and its gradient w × the speller's, so P̂ is
    /// the search's own ranking. Needs the lists' scores.
    public static func loss(model: SpeechRecognizer, values: Tensor, lengths: [Int], lists: [NBest], utterances: Int,
                            attentionWeight: Float? = nil) -> (loss: Tensor, expectedErrors: Float)? {
        let used = lists.indices.filter { i in
            let w = lists[i].errors
            return w.count >= 2 && w.contains { $0 != w[0] }
        }
        guard !used.isEmpty else { return nil }
        let n = used.map { lists[$0].tokens.count }.max()!
        var owner = [Int](), inputs = [[Int]](), targets = [[Int]]()
        for i in used {
            for h in lists[i].tokens {
                owner.append(i)
                inputs.append([Vocabulary.sos] + h)
                targets.append(h + [Vocabulary.eos])
            }
        }
        let rows = owner.count
        let logits = model.decodeTeacherForced(values: values.indexSelect(owner, axis: 0), lengths: owner.map { lengths[$0] },
                                               inputs: inputs)                                       // [R, U, V]
        let (u, v) = (logits.shape[1], logits.shape[2])
        var pick = [Float](repeating: 0, count: rows * u * v)
        for (r, target) in targets.enumerated() { for (j, tok) in target.enumerated() { pick[(r * u + j) * v + tok] = 1 } }
        var sequence = (logits.logSoftmax() * Tensor(shape: [rows, u, v], data: pick)).sum(axis: 2).sum(axis: 1)  // [R]
        if let w = attentionWeight {
            let scores = used.flatMap { i -> [Float] in
                guard let s = lists[i].scores, s.count == lists[i].tokens.count else {
                    preconditionFailure("MinimumWERLoss.loss: attentionWeight needs each list's search scores (nBest gives them)")
                }
                return s
            }
            let rest = zip(scores, sequence.data).map { $0 - w * $1 }
            sequence = sequence.scaled(w) + Tensor(shape: [rows], data: rest)
        }
        // Lists padded to n: a missing hypothesis points at row 0 and gets −1e9, so its renormalized probability is 0.
        var index = [Int](), mask = [Float](), centered = [Float]()
        var row = 0
        for i in used {
            let w = lists[i].errors
            let mean = w.reduce(0, +) / Float(w.count)
            for k in 0..<n {
                let real = k < w.count
                index.append(real ? row + k : 0)
                mask.append(real ? 0 : -1e9)
                centered.append(real ? w[k] - mean : 0)
            }
            row += w.count
        }
        let g = used.count
        let posterior = (sequence.indexSelect(index, axis: 0) + Tensor(shape: [g * n], data: mask)).reshaped([g, n]).softmax()
        let risk = (posterior * Tensor(shape: [g, n], data: centered)).sum().scaled(1 / Float(max(utterances, 1)))
        var expected: Float = 0
        for (k, i) in used.enumerated() {
            for (j, w) in lists[i].errors.enumerated() { expected += posterior.data[k * n + j] * w }
        }
        return (risk, expected / Float(g))
    }
}
