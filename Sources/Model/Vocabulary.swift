// The character vocabulary: pad, a shared sos/eos, space, apostrophe, a–z (the reference model's 30 classes).
// Text goes through Scribe's one normalizer before it is encoded.
import Evaluation

/// Characters ↔ token ids. Id 0 is padding (and the CTC blank), 1 is `<sos>`/`<eos>`.
public struct Vocabulary: Codable, Equatable, Sendable {
    public let tokens: [String]
    public static let pad = 0
    public static let eos = 1
    public static let sos = 1

    public init(tokens: [String]) { self.tokens = tokens }

    /// 0 `<pad>`, 1 `<eos>` (also `<sos>`), 2 space, 3 apostrophe, 4–29 a–z.
    public static let characters = Vocabulary(tokens: ["<pad>", "<eos>", " ", "'"] + "abcdefghijklmnopqrstuvwxyz".map(String.init))

    public var count: Int { tokens.count }

    private var index: [Character: Int] {
        var d = [Character: Int]()
        for (i, t) in tokens.enumerated() where t.count == 1 { d[Character(t)] = i }
        return d
    }

    /// Normalizes `text` and returns its token ids (without sos/eos). Characters outside the vocabulary
    /// (there are none after normalization) are dropped.
    public func encode(_ text: String, normalizer: TextNormalizer = TextNormalizer()) -> [Int] {
        let table = index
        return normalizer.normalize(text).compactMap { table[$0] }
    }

    /// Text of token ids, stopping at eos and skipping pad.
    public func decode(_ ids: [Int]) -> String {
        var s = ""
        for id in ids {
            if id == Self.eos { break }
            if id == Self.pad || id < 0 || id >= tokens.count { continue }
            s += tokens[id]
        }
        return s
    }
}
