// What beam search fuses in (shallow fusion): a language model over the recognizer's own tokens. Two conform: the
// character n-gram `CharacterLM`, and `LexiconWordLM`, a word n-gram seen through its spellings.

/// A language model over token ids: `logProb(token, after: history)` is ln P(token | history) for EOS or a
/// character id, given every token so far (without `<sos>`).
public protocol TokenLanguageModel: Sendable {
    /// V: the token vocabulary size it was built for (checked against the recognizer's).
    var classes: Int { get }
    /// ln P(token | history); history holds character ids only (no `<sos>`, no EOS).
    func logProb(_ token: Int, after history: [Int]) -> Float
    /// ln P of each of `tokens` after the same history (what beam search asks per hypothesis).
    func logProbs(_ tokens: [Int], after history: [Int]) -> [Float]
    /// Called once per search step with every live hypothesis's history before they are scored one by one: a model
    /// that computes per history (`InternalLanguageModel`) batches the new ones here. The default does nothing.
    func prepare(_ histories: [[Int]])
}

extension TokenLanguageModel {
    public func logProbs(_ tokens: [Int], after history: [Int]) -> [Float] { tokens.map { logProb($0, after: history) } }
    public func prepare(_ histories: [[Int]]) {}
}

extension CharacterLM: TokenLanguageModel {}
