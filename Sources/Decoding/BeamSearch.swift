// Beam search over the decoding contract: all live hypotheses advance in one batched step; candidates are
// the top 2×beam extensions; finished hypotheses are ranked by a length-normalized or GNMT-penalized score,
// with an optional coverage penalty and an EOS threshold; n-best output. With a CTC head and a CTC weight λ > 0
// the search is joint CTC/attention decoding: every score is (1 − λ) × attention + λ × CTC prefix score; with a
// language model (characters, or words through their spellings), μ × its log-probability is added (shallow fusion),
// and with an internal LM (the speller's own prior, `InternalLanguageModel`) κ × its log-probability is subtracted.
import Foundation
import Model

/// Options of the beam search (every one is a CLI flag of `scribe transcribe`).
public struct BeamOptions: Sendable {
    /// Hypotheses kept per step.
    public var beam: Int = 8
    /// Length normalization: score / len^α (α = lengthPenalty; 0 = raw log-prob). With `gnmt`, the
    /// GNMT penalty ((5 + len) / 6)^α is used instead of len^α.
    public var lengthPenalty: Float = 1.0
    public var gnmt: Bool = false
    /// Coverage penalty β (GNMT): + β Σ_j log(min(Σ_i α_ij, 1)).
    public var coveragePenalty: Float = 0
    /// EOS threshold γ: a hypothesis may end only when log p(eos) ≥ γ + max log p(other token). nil: off.
    public var eosThreshold: Float? = nil
    /// Maximum output tokens per encoder frame, plus a constant.
    public var maxLengthRatio: Float = 1.5
    public var maxLengthConstant: Int = 10
    /// Stop a hypothesis that repeats the same n-gram of this many tokens 3 times in a row (0 = off).
    public var repetitionGuard: Int = 4
    /// Hypotheses returned.
    public var nBest: Int = 1
    /// EOS is suppressed until a hypothesis has this many tokens (0 = off; benchmarks use it to fix the length).
    public var minLength: Int = 0
    /// λ of joint CTC/attention decoding (0 = attention only; used when the model has a CTC head).
    public var ctcWeight: Float = 0
    /// Shallow fusion: μ × log P_LM(token | history) is added to every score (nil or μ = 0: off). A character
    /// n-gram (`CharacterLM`) or a word n-gram through its spellings (`LexiconWordLM`).
    public var languageModel: (any TokenLanguageModel)? = nil
    public var lmWeight: Float = 0
    /// Internal LM subtraction: κ × ln P_ILM(token | history) is subtracted from every score (nil or κ = 0: off);
    /// `InternalLanguageModel`, the speller's own prior over characters, estimated with a zero attention context.
    public var internalLM: (any TokenLanguageModel)? = nil
    public var ilmWeight: Float = 0

    public init(beam: Int = 8) { self.beam = beam }

    /// Candidates per hypothesis that CTC scores: the attention's top 1.5 × beam (ESPnet's pre-beam).
    var ctcCandidates: Int { max(beam * 3 / 2, 2) }

    /// (1 − λ) × attention log-prob + λ × CTC prefix score.
    func jointScore(attention: Float, ctc: Float) -> Float {
        let lambda = min(ctcWeight, 1)
        return (1 - lambda) * attention + lambda * ctc
    }
}

public struct BeamSearch {
    public var options: BeamOptions

    public init(options: BeamOptions = BeamOptions()) { self.options = options }

    struct Live {
        var tokens: [Int]
        var logProb: Float
        var attention: [[Float]]
        var coverage: [Float]
        var probs: [Float]
        var ctc: CTCPrefixScorer.State?
        /// Σ log P_LM of the tokens so far.
        var lm: Float = 0
        /// Σ log P_ILM of the tokens so far (internal LM subtraction).
        var ilm: Float = 0
    }

    func finalScore(_ logProb: Float, length: Int, coverage: [Float]) -> Float {
        let o = options
        let lp: Float = o.gnmt ? Float(pow((5.0 + Double(length)) / 6.0, Double(o.lengthPenalty)))
                               : Float(pow(Double(max(length, 1)), Double(o.lengthPenalty)))
        var score = logProb / lp
        if o.coveragePenalty != 0 {
            score += o.coveragePenalty * coverage.reduce(0) { $0 + Foundation.log(Swift.max(Swift.min($1, 1), 1e-6)) }
        }
        return score
    }

    func repeats(_ tokens: [Int]) -> Bool {
        let n = options.repetitionGuard
        guard n > 0, tokens.count >= 3 * n else { return false }
        let tail = Array(tokens.suffix(3 * n))
        return tail[0..<n] == tail[n..<(2 * n)] && tail[n..<(2 * n)] == tail[(2 * n)...]
    }

    /// Decodes one utterance; returns up to nBest hypotheses, best first.
    ///
    /// - Parameter ctc: the utterance's CTC prefix scorer, for joint decoding when `options.ctcWeight` > 0.
    public func decode<D: StepDecoder>(_ decoder: D, ctc: CTCPrefixScorer? = nil) -> [Hypothesis] {
        decode(decoder, prefixes: [([], 0, [], [])], ctc: ctc)
    }

    /// Decodes from existing hypotheses (tokens, attention log-prob, attention rows, token probs) whose state is
    /// `decoder.initialState(hypotheses: prefixes.count)`; a streamed search finishes this way.
    /// With `ctc` and `options.ctcWeight` > 0, hypotheses are ranked by (1 − λ) attention + λ CTC prefix score
    /// (+ μ LM log-prob with a language model) and the returned `logProb`s are these joint scores.
    public func decode<D: StepDecoder>(_ decoder: D, prefixes: [([Int], Float, [[Float]], [Float])], ctc: CTCPrefixScorer? = nil) -> [Hypothesis] {
        let o = options, v = decoder.vocabularySize, t = decoder.frames
        let maxLen = Int(Float(t) * o.maxLengthRatio) + o.maxLengthConstant
        let scorer = o.ctcWeight > 0 ? ctc : nil
        let lm = o.lmWeight > 0 ? o.languageModel : nil
        let mu = lm == nil ? 0 : o.lmWeight
        let ilm = o.ilmWeight > 0 ? o.internalLM : nil
        let kappa = ilm == nil ? 0 : o.ilmWeight
        // Joint score of an attention log-prob, a CTC prefix score, a language-model log-prob and an internal-LM
        // log-prob (subtracted).
        func joint(_ att: Float, _ ctcScore: Float?, _ lmScore: Float = 0, _ ilmScore: Float = 0) -> Float {
            (ctcScore.map { o.jointScore(attention: att, ctc: $0) } ?? att) + mu * lmScore - kappa * ilmScore
        }
        // Σ log P of a prefix's tokens under a language model (0 without one).
        func prefixLogProb(_ model: (any TokenLanguageModel)?, _ tokens: [Int]) -> Float {
            guard let model else { return 0 }
            return tokens.indices.reduce(Float(0)) { $0 + model.logProb(tokens[$1], after: Array(tokens[..<$1])) }
        }
        var live = prefixes.map { p -> Live in
            var coverage = [Float](repeating: 0, count: t)
            for row in p.2 { for j in 0..<min(t, row.count) { coverage[j] += row[j] } }
            return Live(tokens: p.0, logProb: p.1, attention: p.2, coverage: coverage, probs: p.3, ctc: scorer?.state(of: p.0),
                        lm: prefixLogProb(lm, p.0), ilm: prefixLogProb(ilm, p.0))
        }
        var state = decoder.initialState(hypotheses: live.count)
        var finished = [Hypothesis]()
        var bestAcousticEnd = -Float.infinity        // the best ended hypothesis's joint score without the LM
        for step in live[0].tokens.count..<max(maxLen, live[0].tokens.count + 1) {
            let (lp, att, next) = decoder.step(live.map { $0.tokens.last ?? Vocabulary.sos }, state)
            ilm?.prepare(live.map(\.tokens))
            // Candidates: (parent, token, attention logProb, LM log-prob, joint score); the attention's top 2×beam
            // tokens of each hypothesis (1.5×beam with CTC, as ESPnet's pre-beam) are scored by CTC and the LM.
            var candidates = [(parent: Int, token: Int, logProb: Float, lm: Float, ilm: Float, score: Float)]()
            for (i, h) in live.enumerated() {
                let row = lp[(i * v)..<((i + 1) * v)]
                var order = Array(2..<v)
                order.sort { row[row.startIndex + $0] > row[row.startIndex + $1] }
                let tokens = Array(order.prefix(scorer == nil ? 2 * o.beam : o.ctcCandidates))
                let ctcScores: [Float]? = h.ctc.flatMap { s in scorer?.prefixScores(s, tokens: tokens) }
                let lmScores = lm?.logProbs(tokens + [Vocabulary.eos], after: h.tokens)
                let ilmScores = ilm?.logProbs(tokens + [Vocabulary.eos], after: h.tokens)
                for (j, k) in tokens.enumerated() {
                    let att = h.logProb + row[row.startIndex + k]
                    let lmScore = h.lm + (lmScores?[j] ?? 0)
                    let ilmScore = h.ilm + (ilmScores?[j] ?? 0)
                    candidates.append((i, k, att, lmScore, ilmScore, joint(att, ctcScores?[j], lmScore, ilmScore)))
                }
                // EOS, subject to the threshold.
                let eosLP = row[row.startIndex + Vocabulary.eos]
                let bestOther = row[row.startIndex + order[0]]
                if h.tokens.count >= o.minLength, o.eosThreshold.map({ eosLP >= $0 + bestOther }) ?? true {
                    let attRow = Array(att[(i * t)..<((i + 1) * t)])
                    var coverage = h.coverage
                    for j in 0..<t { coverage[j] += attRow[j] }
                    let ctcEnd = h.ctc.flatMap { s in scorer?.endScore(s) }
                    let total = joint(h.logProb + eosLP, ctcEnd, h.lm + (lmScores?.last ?? 0), h.ilm + (ilmScores?.last ?? 0))
                    bestAcousticEnd = max(bestAcousticEnd, joint(h.logProb + eosLP, ctcEnd))
                    finished.append(Hypothesis(tokens: h.tokens, logProb: total,
                                               score: finalScore(total, length: h.tokens.count + 1, coverage: coverage),
                                               attention: h.attention + [attRow], tokenProbs: h.probs))
                }
            }
            candidates.sort { $0.score > $1.score }
            var nextLive = [Live](), parents = [Int]()
            for c in candidates {
                if nextLive.count == o.beam { break }
                let h = live[c.parent]
                let attRow = Array(att[(c.parent * t)..<((c.parent + 1) * t)])
                var coverage = h.coverage
                for j in 0..<t { coverage[j] += attRow[j] }
                let tokens = h.tokens + [c.token]
                if repeats(tokens) { continue }
                nextLive.append(Live(tokens: tokens, logProb: c.logProb, attention: h.attention + [attRow], coverage: coverage,
                                     probs: h.probs + [(c.logProb - h.logProb).expValue],
                                     ctc: h.ctc.flatMap { s in scorer?.extend(s, with: c.token) }, lm: c.lm, ilm: c.ilm))
                parents.append(c.parent)
            }
            // Stop when no live hypothesis can beat the best finished one: its score is bounded by its joint score
            // (attention, CTC prefix and character-LM log-probs only fall; a word LM's swap at a word's end can rise
            // a little, and a subtracted internal LM makes the score rise, so with either the bound is approximate) at
            // the longest length with full coverage (the coverage term only rises towards 0 as attention covers more
            // frames), or its acoustic score (attention and CTC, without the LM) is already 10 nats below the best
            // ending's. That margin cuts the trailing garbage an attention decoder emits past the audio's end; it
            // leaves the LM out because a word LM charges several nats per word, and with it the margin ended
            // hypotheses in mid-sentence (dev, beam 8, μ 0.35: 870 word deletions against 398).
            finished.sort { $0.score > $1.score }
            if finished.count >= o.beam, let best = finished.first, let top = nextLive.first {
                let topScore = joint(top.logProb, top.ctc?.score, top.lm, top.ilm)
                if finalScore(topScore, length: maxLen, coverage: []) < best.score
                    || joint(top.logProb, top.ctc?.score) < bestAcousticEnd - 10 { break }
            }
            _ = step
            if nextLive.isEmpty { break }
            live = nextLive
            state = decoder.reorder(next, parents)
        }
        if finished.isEmpty, let h = live.first {
            let total = joint(h.logProb, h.ctc.flatMap { s in scorer?.endScore(s) }, h.lm, h.ilm)
            finished.append(Hypothesis(tokens: h.tokens, logProb: total,
                                       score: finalScore(total, length: h.tokens.count, coverage: h.coverage),
                                       attention: h.attention, tokenProbs: h.probs))
        }
        finished.sort { $0.score > $1.score }
        return Array(finished.prefix(max(o.nBest, 1)))
    }
}
