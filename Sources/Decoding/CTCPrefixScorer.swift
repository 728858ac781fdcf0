// CTC prefix scoring for joint CTC/attention decoding (Watanabe et al. 2017, "Hybrid CTC/Attention Architecture
// for End-to-End Speech Recognition"; the algorithm of ESPnet's CTCPrefixScore). For a prefix g the scorer keeps
// the forward variables r_t^n(g) (paths over frames 0...t that emit g and end in its last label) and r_t^b(g)
// (… ending in blank). The prefix score of g·c is log ψ = log Σ_t φ_{t-1} p_t(c), the probability that CTC's
// output *begins* with g·c; the score of g·<eos> is log(r_{T-1}^n + r_{T-1}^b), the probability that it *is* g.
// Beam search adds λ × this score to (1 − λ) × the attention log-probability, which stops the attention decoder
// from ending early or looping (the CTC path must explain every frame).
import Foundation
import Model

/// Prefix probabilities under a CTC head's per-frame log-probabilities.
public struct CTCPrefixScorer: Sendable {
    /// log p_t(k) [frames, classes], row-major.
    public let logProbs: [Float]
    public let frames: Int
    public let classes: Int
    public let blank: Int

    /// The forward variables of one prefix and its prefix score.
    public struct State: Sendable {
        /// log r_t^n, log r_t^b for t in 0..<frames.
        var nonBlank: [Float]
        var blankEnd: [Float]
        /// Tokens in the prefix and its last token (nil when empty).
        public internal(set) var length: Int
        var last: Int?
        /// log ψ(prefix): the log-probability that the CTC output begins with the prefix (0 for the empty one).
        public internal(set) var score: Float
    }

    /// - Parameters:
    ///   - logProbs: log-softmax outputs [frames, classes], row-major (`SpeechRecognizer.ctcLogProbs`).
    ///   - blank: the blank class (Scribe's vocabulary: 0).
    public init(logProbs: [Float], frames: Int, classes: Int, blank: Int = 0) {
        precondition(frames > 0 && classes > 0 && logProbs.count >= frames * classes, "CTC log-probs must hold frames × classes values")
        self.logProbs = logProbs
        self.frames = frames
        self.classes = classes
        self.blank = blank
    }

    /// The scorer of a model's CTC head output `logProbs` [frames, V] (nil without a head or frames).
    public init?(model: SpeechRecognizer, logProbs: [Float]?, frames: Int) {
        guard let logProbs, frames > 0 else { return nil }
        self.init(logProbs: logProbs, frames: frames, classes: model.vocabulary.count, blank: Vocabulary.pad)
    }

    /// The empty prefix: r^n = −∞, r^b_t = Σ_{τ≤t} log p_τ(blank).
    public func initial() -> State {
        var b = [Float](repeating: -.infinity, count: frames)
        var acc: Float = 0
        for t in 0..<frames {
            acc += logProbs[t * classes + blank]
            b[t] = acc
        }
        return State(nonBlank: [Float](repeating: -.infinity, count: frames), blankEnd: b, length: 0, last: nil, score: 0)
    }

    /// The state of `tokens` (no blanks), computed from the empty prefix.
    public func state(of tokens: [Int]) -> State {
        tokens.reduce(initial()) { extend($0, with: $1) }
    }

    /// log P(the CTC output is exactly the prefix) over all frames: the score of ending it with EOS.
    public func endScore(_ s: State) -> Float {
        logAdd(s.nonBlank[frames - 1], s.blankEnd[frames - 1])
    }

    /// The prefix extended by token `c` (not the blank), with its prefix score log ψ.
    public func extend(_ s: State, with c: Int) -> State {
        precondition(c != blank && c >= 0 && c < classes, "token \(c) is not a CTC label")
        let t0 = frames
        var n = [Float](repeating: -.infinity, count: t0)
        var b = [Float](repeating: -.infinity, count: t0)
        // φ_t: the mass that can precede a new c at t + 1: r^n + r^b, but only r^b when c repeats the last token.
        let repeatsLast = s.last == c
        @inline(__always) func phi(_ t: Int) -> Float { repeatsLast ? s.blankEnd[t] : logAdd(s.nonBlank[t], s.blankEnd[t]) }
        if s.length == 0 { n[0] = logProbs[c] }
        var psi = n[0]
        // A prefix of u tokens needs at least u frames; frames before that have zero mass.
        let start = max(s.length, 1)
        if start < t0 {
            for t in start..<t0 {
                let p = logProbs[t * classes + c], pb = logProbs[t * classes + blank]
                let ph = phi(t - 1)
                n[t] = logAdd(n[t - 1], ph) + p
                b[t] = logAdd(n[t - 1], b[t - 1]) + pb
                psi = logAdd(psi, ph + p)
            }
        }
        return State(nonBlank: n, blankEnd: b, length: s.length + 1, last: c, score: psi)
    }

    /// log ψ(prefix · c) for each token c of `tokens` (no blanks), without the states: what a beam search needs to
    /// rank candidates; only the survivors are then `extend`ed. ψ = log Σ_{t ≥ start} exp(φ_{t-1} + log p_t(c)),
    /// one exp per frame and candidate (the recursion for r^n and r^b is not needed for the score).
    public func prefixScores(_ s: State, tokens: [Int]) -> [Float] {
        let start = max(s.length, 1)
        guard start < frames || s.length == 0 else { return tokens.map { _ in -.infinity } }
        var sum = [Float](repeating: -.infinity, count: frames)
        for t in 0..<frames { sum[t] = logAdd(s.nonBlank[t], s.blankEnd[t]) }
        var terms = [Float](repeating: -.infinity, count: frames + 1)
        return tokens.map { c -> Float in
            precondition(c != blank && c >= 0 && c < classes, "token \(c) is not a CTC label")
            let phi = s.last == c ? s.blankEnd : sum
            var count = 0, top = -Float.infinity
            if s.length == 0 { terms[0] = logProbs[c]; count = 1; top = terms[0] }
            var t = start
            while t < frames {
                let x = phi[t - 1] + logProbs[t * classes + c]
                terms[count] = x; count += 1
                if x > top { top = x }
                t += 1
            }
            guard top > -.infinity else { return -.infinity }
            // Terms more than 17 nats below the largest add less than 1e-7 of it: skipped (most frames, far from
            // where the prefix can end).
            var total: Float = 0
            for i in 0..<count {
                let d = terms[i] - top
                if d > -17 { total += Foundation.exp(d) }
            }
            return top + Foundation.log(total)
        }
    }

    @inline(__always) private func logAdd(_ a: Float, _ b: Float) -> Float {
        let hi = Swift.max(a, b), lo = Swift.min(a, b)
        if lo == -.infinity { return hi }
        return hi + Foundation.log1p(Foundation.exp(lo - hi))
    }
}
