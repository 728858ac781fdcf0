// Greedy search: the most likely token at every step until eos or the length limit.
import Foundation
import Model

public struct GreedySearch {
    /// Output tokens allowed per encoder frame (plus a constant) before the search stops.
    public var maxLengthRatio: Float = 1.5
    public var maxLengthConstant: Int = 10
    /// EOS is suppressed until this many tokens are out (0 = off; benchmarks use it to fix the length).
    public var minLength: Int = 0

    public init(maxLengthRatio: Float = 1.5) { self.maxLengthRatio = maxLengthRatio }

    public func maxLength(frames: Int) -> Int { Int(Float(frames) * maxLengthRatio) + maxLengthConstant }

    public func decode<D: StepDecoder>(_ decoder: D) -> Hypothesis {
        var state = decoder.initialState(hypotheses: 1)
        var tokens = [Int](), attention = [[Float]](), probs = [Float]()
        var logProb: Float = 0
        var previous = Vocabulary.sos
        let v = decoder.vocabularySize
        for _ in 0..<maxLength(frames: decoder.frames) {
            let (lp, att, next) = decoder.step([previous], state)
            state = next
            var best = tokens.count < minLength ? 2 : Vocabulary.eos  // padding (0) is never emitted
            for k in (best + 1)..<v where lp[k] > lp[best] { best = k }
            logProb += lp[best]
            attention.append(att)
            if best == Vocabulary.eos { break }
            tokens.append(best)
            probs.append(lp[best].expValue)
            previous = best
        }
        return Hypothesis(tokens: tokens, logProb: logProb, score: logProb, attention: attention, tokenProbs: probs)
    }
}

extension Float {
    var expValue: Float { Float(Foundation.exp(Double(self))) }
}
