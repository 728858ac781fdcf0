// Estimates a word n-gram model with interpolated Kneser-Ney smoothing (Chen & Goodman 1998; one discount per
// order, D = n₁ / (n₁ + 2 n₂) of that order's counts), the smoothing KenLM and SRILM use for word LMs:
//   P(w | h) = max(a(hw) − D, 0) / Σ_v a(hv) + γ(h) P(w | h′),   γ(h) = D · |{v : a(hv) > 0}| / Σ_v a(hv),
// where a is the raw count at the highest order and, below it, the number of distinct words seen to the left
// (the raw count for n-grams that start with <s>, as KenLM does); the unigrams interpolate with a uniform
// distribution over the vocabulary plus `<unk>`. Pruning drops n-grams (order ≥ 2) seen fewer than `minCount`
// times and recomputes each history's backoff so that every P(· | h) still sums to one.
import Foundation

public enum KneserNeyEstimator {
    /// The model of `sentences` (each a list of words; `<s>`/`</s>` are added) as an ARPA backoff model.
    ///
    /// - Parameters:
    ///   - order: n of the longest n-grams (≥ 1).
    ///   - minCount: n-grams of order ≥ 2 seen fewer times than this are not listed (1 keeps all).
    public static func estimate(sentences: [[String]], order: Int, minCount: Int = 1) throws -> WordLM {
        func fail(_ reason: String) -> ModelError { .languageModel(path: "-", reason: reason) }
        guard order >= 1 else { throw fail("order must be ≥ 1, got \(order)") }
        guard minCount >= 1 else { throw fail("the minimum count must be ≥ 1, got \(minCount)") }
        // Vocabulary: reserved ids, then words by falling frequency (ties alphabetical), so the file is reproducible.
        var frequency = [String: Int]()
        for s in sentences {
            for w in s {
                guard !WordLM.reserved.contains(w), !w.isEmpty, !w.contains(where: \.isWhitespace) else {
                    throw fail("the training text holds the word '\(w)' (reserved, empty or with whitespace)")
                }
                frequency[w, default: 0] += 1
            }
        }
        guard !frequency.isEmpty else { throw fail("no training words") }
        let words = WordLM.reserved + frequency.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
        var ids = [String: Int]()
        for (i, w) in words.enumerated() { ids[w] = i }

        // Raw counts of every order; keys are the n ids, oldest first.
        var raw = [[[Int]: Int]](repeating: [:], count: order)
        for s in sentences {
            let seq = [WordLM.sentenceStart] + s.map { ids[$0]! } + [WordLM.sentenceEnd]
            for i in 1..<seq.count {
                for n in 1...order where i - n + 1 >= 0 { raw[n - 1][Array(seq[(i - n + 1)...i]), default: 0] += 1 }
            }
        }
        // Adjusted counts: raw at the top order; below it, distinct left extensions, or raw after <s>.
        var adjusted = raw
        if order > 1 {
            for n in 1..<order {
                var left = [[Int]: Int]()
                for g in raw[n].keys { left[Array(g.dropFirst()), default: 0] += 1 }
                for g in raw[n - 1].keys where g[0] != WordLM.sentenceStart { adjusted[n - 1][g] = left[g] ?? 0 }
            }
        }
        adjusted[0][[WordLM.sentenceStart]] = nil                            // <s> is never predicted
        // Discount per order from the counts of counts.
        let discounts: [Double] = adjusted.map { table in
            let n1 = Double(table.values.filter { $0 == 1 }.count), n2 = Double(table.values.filter { $0 == 2 }.count)
            return n1 > 0 && n2 > 0 ? n1 / (n1 + 2 * n2) : 0.5
        }
        // Per history: Σ a and the number of continuations.
        let histories: [[[Int]: (total: Double, distinct: Double)]] = adjusted.map { table in
            var h = [[Int]: (total: Double, distinct: Double)]()
            for (g, a) in table where a > 0 {
                let old = h[Array(g.dropLast())] ?? (0, 0)
                h[Array(g.dropLast())] = (old.total + Double(a), old.distinct + 1)
            }
            return h
        }
        let uniform = 1 / Double(words.count - 1)                            // every word but <s>
        // Interpolated probabilities of the listed n-grams, order by order.
        var prob = [[[Int]: Double]](repeating: [:], count: order)
        func lower(_ g: [Int], _ n: Int) -> Double {                        // P(w | h′) of an n-gram g of order n
            n == 1 ? uniform : prob[n - 2][Array(g.dropFirst())]!
        }
        func gamma(_ h: [Int], _ n: Int) -> Double {
            guard let s = histories[n - 1][h] else { return 1 }
            return discounts[n - 1] * s.distinct / s.total
        }
        for n in 1...order {
            for (g, a) in adjusted[n - 1] where n == 1 || raw[n - 1][g]! >= minCount {
                let h = Array(g.dropLast())
                let s = histories[n - 1][h]!
                prob[n - 1][g] = max(Double(a) - discounts[n - 1], 0) / s.total + gamma(h, n) * lower(g, n)
            }
        }
        // `<unk>` gets the unigram level's uniform share.
        prob[0][[WordLM.unknown]] = gamma([], 1) * uniform
        // Backoffs: for each listed history h, (1 − Σ_listed P(w | h)) / (1 − Σ_listed P(w | h′)); with nothing
        // pruned this equals γ(h).
        var listedSums = [[[Int]: (high: Double, low: Double)]](repeating: [:], count: order)
        if order > 1 {
            for n in 2...order {
                for (g, p) in prob[n - 1] {
                    let h = Array(g.dropLast())
                    let old = listedSums[n - 1][h] ?? (0, 0)
                    listedSums[n - 1][h] = (old.high + p, old.low + lower(g, n))
                }
            }
        }
        // ln backoff of a history g of order n (0 when nothing is listed after it). The two remainders are clamped
        // away from zero: rounding must not turn a tiny mass into log(0).
        func backoff(_ g: [Int], _ n: Int) -> Float {
            guard n < order, let s = listedSums[n][g] else { return 0 }
            return Float(Foundation.log(max(1 - s.high, 1e-12) / max(1 - s.low, 1e-12)))
        }
        var ngrams = [[[Int]: (Float, Float)]](repeating: [:], count: order)
        for n in 1...order {
            for (g, p) in prob[n - 1] { ngrams[n - 1][g] = (Float(Foundation.log(p)), backoff(g, n)) }
        }
        // <s> is never predicted (P = 0), but as a history it needs its backoff.
        ngrams[0][[WordLM.sentenceStart]] = (-.infinity, backoff([WordLM.sentenceStart], 1))
        return try WordLM(order: order, words: words, ngrams: ngrams)
    }
}
