// Blockwise synchronous beam search (Tsunoo et al. 2020) for streaming: after each block of encoder frames,
// hypotheses are extended only while the attention stays inside the frames seen so far (its peak at least
// `margin` frames before the block edge); an EOS or a repeated token ends the block's extension instead of
// the hypothesis; the search resumes when the next block arrives, and is finalized like an offline beam search
// at an endpoint or at the end of input. With a CTC head, an EOS ends the block only when the CTC head agrees
// that the best prefix explains the frames seen so far: a decoder trained on single sentences wants EOS after
// every sentence, and without this check the partials of a segment holding several sentences would stop there.
import Foundation
import Model
import Tensor

public final class BlockwiseBeamSearch {
    public let model: SpeechRecognizer
    public let options: BeamOptions
    /// Frames before the block edge that the attention peak must stay clear of.
    public let margin: Int
    /// With a CTC head, an EOS from the attention decoder ends a block only when log P(the CTC output is exactly
    /// the best prefix) is within this many nats of its prefix score log ψ; otherwise the CTC head hears more
    /// speech and the best non-EOS tokens extend the hypotheses.
    public var ctcEndMargin: Float = 5

    struct Live {
        var tokens: [Int]
        var logProb: Float
        var attention: [[Float]]
        var probs: [Float]
    }

    private var live = [Live(tokens: [], logProb: 0, attention: [], probs: [])]
    private var state: DecodingState?
    private var frames = 0

    public init(model: SpeechRecognizer, options: BeamOptions, margin: Int = 2) {
        self.model = model
        self.options = options
        self.margin = margin
    }

    /// The current best partial hypothesis.
    public var partial: Hypothesis {
        let h = live[0]
        return Hypothesis(tokens: h.tokens, logProb: h.logProb, score: h.logProb, attention: h.attention, tokenProbs: h.probs)
    }

    /// Rebinds the hypotheses' states to encoder output `values` [1, T, E] (T grows block by block).
    private func bind(_ values: Tensor) -> DecodingState {
        let t = values.shape[1]
        if model.transformerDecoder != nil {
            // The Transformer decoder caches the memory it was started with: search again from the start.
            live = [Live(tokens: [], logProb: 0, attention: [], probs: [])]
            state = nil
        }
        var fresh = model.initialState(values: values, length: t, hypotheses: live.count)
        if let old = state {
            if var s = old.speller {
                let pad = t - frames
                if pad > 0 {
                    s.alignment = Tensor.withoutGrad { Tensor.concat([s.alignment, Tensor.zeros([live.count, pad])], axis: 1) }
                }
                fresh.speller = s
            }
        }
        frames = t
        return fresh
    }

    /// The CTC prefix scorer over encoder output `values` [1, T, E] when joint scoring is on and the model has a head.
    private func ctcScorer(_ values: Tensor) -> CTCPrefixScorer? {
        guard options.ctcWeight > 0 else { return nil }
        let t = values.shape[1]
        return CTCPrefixScorer(model: model, logProbs: model.ctcLogProbs(values: values, length: t), frames: t)
    }

    /// Extends the hypotheses over the frames seen so far (values [1, T, E]). Not final: EOS is not accepted.
    /// With a CTC head and `options.ctcWeight` > 0, candidates are ranked jointly with their CTC prefix
    /// probability over the frames seen so far, as the finishing search ranks them over the whole segment.
    public func extend(values: Tensor) {
        var st = bind(values)
        let v = model.vocabulary.count, t = frames
        let limit = Int(Float(t) * options.maxLengthRatio) + options.maxLengthConstant
        let scorer = ctcScorer(values)
        var ctcStates = live.map { h in scorer?.state(of: h.tokens) }
        while (live.first?.tokens.count ?? limit) < limit {
            let out = model.step(live.map { $0.tokens.last ?? Vocabulary.sos }, state: st)
            // The block ends when the best hypothesis wants EOS, looks past the edge, or repeats itself.
            let row0 = out.logProbs[0..<v]
            let best = (1..<v).max { row0[$0] < row0[$1] }!
            let att0 = out.attention[0..<t]
            let peak = att0.indices.max { att0[$0] < att0[$1] }! - att0.startIndex
            let eosEnds = best == Vocabulary.eos && {
                guard let scorer, let s = ctcStates[0] else { return true }
                return scorer.endScore(s) >= s.score - ctcEndMargin
            }()
            if eosEnds || peak >= t - margin || live[0].tokens.last == best && live[0].tokens.suffix(2).allSatisfy({ $0 == best }) {
                break
            }
            var candidates = [(parent: Int, token: Int, logProb: Float, score: Float)]()
            for i in live.indices {
                let row = out.logProbs[(i * v)..<((i + 1) * v)]
                if let scorer, let state = ctcStates[i] {
                    // The attention's top 1.5×beam tokens, ranked with their CTC prefix scores.
                    let tokens = (2..<v).sorted { row[row.startIndex + $0] > row[row.startIndex + $1] }.prefix(options.ctcCandidates)
                    let ctc = scorer.prefixScores(state, tokens: Array(tokens))
                    for (j, k) in tokens.enumerated() {
                        let att = live[i].logProb + row[row.startIndex + k]
                        candidates.append((i, k, att, options.jointScore(attention: att, ctc: ctc[j])))
                    }
                } else {
                    for k in 2..<v {
                        let att = live[i].logProb + row[row.startIndex + k]
                        candidates.append((i, k, att, att))
                    }
                }
            }
            // Ties (all −∞ when a prefix outgrows the frames seen so far) fall back to the attention's order.
            candidates.sort { $0.score != $1.score ? $0.score > $1.score : $0.logProb > $1.logProb }
            var next = [Live](), parents = [Int]()
            var nextStates = [CTCPrefixScorer.State?]()
            for c in candidates.prefix(options.beam) {
                nextStates.append(ctcStates[c.parent].flatMap { s in scorer?.extend(s, with: c.token) })
                let h = live[c.parent]
                let att = Array(out.attention[(c.parent * t)..<((c.parent + 1) * t)])
                next.append(Live(tokens: h.tokens + [c.token], logProb: c.logProb, attention: h.attention + [att],
                                 probs: h.probs + [Float(Foundation.exp(Double(c.logProb - h.logProb)))]))
                parents.append(c.parent)
            }
            live = next
            ctcStates = nextStates
            st = model.reorder(out.state, indices: parents)
        }
        state = st
    }

    /// Finishes the segment over its complete encoder output: an offline beam search that starts from the
    /// live hypotheses (or from scratch with `restart`, when the encoder output was recomputed). Resets the
    /// search for the next segment.
    public func finalize(values: Tensor, restart: Bool = false) -> Hypothesis {
        if restart {
            live = [Live(tokens: [], logProb: 0, attention: [], probs: [])]
            state = nil
            frames = 0
        }
        let st = bind(values)
        let decoder = ResumedDecoder(model: model, values: values, frames: frames, start: st)
        let search = BeamSearch(options: options)
        let results = search.decode(decoder, prefixes: live.map { ($0.tokens, $0.logProb, $0.attention, $0.probs) }, ctc: ctcScorer(values))
        live = [Live(tokens: [], logProb: 0, attention: [], probs: [])]
        state = nil
        frames = 0
        return results.first ?? partial
    }
}

/// A decoder whose initial state is an existing set of hypotheses' state (used to finish a streamed search).
struct ResumedDecoder: StepDecoder {
    let model: SpeechRecognizer
    let values: Tensor
    let frames: Int
    let start: DecodingState
    var vocabularySize: Int { model.vocabulary.count }
    func initialState(hypotheses: Int) -> DecodingState { start }
    func step(_ tokens: [Int], _ state: DecodingState) -> (logProbs: [Float], attention: [Float], state: DecodingState) {
        let out = model.step(tokens, state: state)
        return (out.logProbs, out.attention, out.state)
    }
    func reorder(_ state: DecodingState, _ indices: [Int]) -> DecodingState { model.reorder(state, indices: indices) }
}
