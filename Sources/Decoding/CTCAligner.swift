// CTC forced alignment (Viterbi): given the CTC head's per-frame log-probabilities and a token sequence (the
// attention decoder's hypothesis), the single best CTC path that emits exactly those tokens, and from it the
// frames where each token is emitted. The times the CTC head gives are sharper than the attention centre of
// mass, since CTC is trained to fire on the frames of each character.
import Foundation

public enum CTCAligner {
    /// The frames (in encoder frames) each token is emitted on along the best path: one range per token,
    /// `ranges[i]` = first...last frame of token i's run. nil when no path exists (more tokens than frames allow,
    /// counting the blank required between repeated tokens) or when `tokens` is empty.
    ///
    /// - Parameters:
    ///   - logProbs: log-probabilities [frames, vocabularySize], row-major.
    ///   - tokens: the label sequence (no blanks).
    public static func align(logProbs: [Float], frames: Int, vocabularySize v: Int, tokens: [Int], blank: Int) -> [ClosedRange<Int>]? {
        let u = tokens.count
        guard u > 0, frames > 0, logProbs.count >= frames * v, tokens.allSatisfy({ $0 >= 0 && $0 < v && $0 != blank }) else { return nil }
        // Extended labels: blank, y1, blank, y2, ..., yU, blank.
        let s = 2 * u + 1
        func label(_ k: Int) -> Int { k % 2 == 0 ? blank : tokens[k / 2] }
        let negInf = -Float.infinity
        var score = [Float](repeating: negInf, count: s)
        var back = [Int8](repeating: 0, count: frames * s)   // 0: stay, 1: from k−1, 2: from k−2
        score[0] = logProbs[label(0)]
        if s > 1 { score[1] = logProbs[label(1)] }
        var next = score
        for t in 1..<max(frames, 1) {
            let row = t * v
            for k in 0..<s {
                var best = score[k], from: Int8 = 0
                if k >= 1, score[k - 1] > best { best = score[k - 1]; from = 1 }
                if k >= 2, k % 2 == 1, tokens[k / 2] != tokens[k / 2 - 1], score[k - 2] > best { best = score[k - 2]; from = 2 }
                next[k] = best == negInf ? negInf : best + logProbs[row + label(k)]
                back[t * s + k] = from
            }
            swap(&score, &next)
        }
        // The path ends on the last token or the final blank.
        var k = s - 1
        if s >= 2, score[s - 2] > score[s - 1] { k = s - 2 }
        guard score[k] > negInf else { return nil }
        var first = [Int](repeating: -1, count: u), last = [Int](repeating: -1, count: u)
        for t in stride(from: frames - 1, through: 0, by: -1) {
            if k % 2 == 1 {
                let i = k / 2
                if last[i] < 0 { last[i] = t }
                first[i] = t
            }
            if t > 0 { k -= Int(back[t * s + k]) }
        }
        guard k <= 1, first.allSatisfy({ $0 >= 0 }) else { return nil }
        return (0..<u).map { first[$0]...last[$0] }
    }
}
