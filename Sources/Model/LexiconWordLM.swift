// A word language model fused into a character decoder (the look-ahead word LM of Hori, Cho & Watanabe 2018, with
// a unigram look-ahead as in Kaldi-style decoders). The words' spellings form a prefix tree; each node holds the
// unigram mass of the words below it. Inside a word, a character costs the log-ratio of the masses of its node and
// its parent's, so a spelling that leads to no word is penalized as soon as it leaves the tree. At the word's end
// (space or EOS) the look-ahead is swapped for the n-gram's log P(word | previous words). A word that leaves the
// tree is an out-of-vocabulary word: it costs log P(<unk> | previous words) plus a tunable penalty once, and its
// further characters are free. Over a whole sentence the token scores add up to the n-gram's sentence log-prob.
import Foundation

public struct LexiconWordLM: TokenLanguageModel {
    public let lm: WordLM
    public let classes: Int
    /// Added (ln) to every out-of-vocabulary word, on top of log P(<unk> | history): below 0 discourages new
    /// spellings, above 0 allows more of them.
    public var oovPenalty: Float
    /// child[node << 5 | token] = the node reached by spelling token after node (node 0 is the root).
    private let child: [Int: Int32]
    /// ln of the unigram mass of the words below each node (the root: of all words in the tree).
    private let logMass: [Float]
    /// The word id that ends at each node, or −1.
    private let wordAt: [Int32]
    private let space: Int
    /// ln-cost of an empty word (normalized text has none), whatever the OOV penalty: a bonus for new words must
    /// not turn into a bonus for spaces.
    static let emptyWord: Float = -100

    /// Spells the model's words with `vocabulary` (words with a character it lacks stay unreachable; so do
    /// `<unk>`, `<s>`, `</s>`).
    public init(lm: WordLM, vocabulary: Vocabulary, oovPenalty: Float = 0) throws {
        guard vocabulary.count <= 32 else { throw ModelError.languageModel(path: "-", reason: "the vocabulary has \(vocabulary.count) tokens; the prefix tree keys hold 32") }
        var tokenOf = [Character: Int]()
        for (i, t) in vocabulary.tokens.enumerated() where t.count == 1 && i > Vocabulary.eos { tokenOf[Character(t)] = i }
        guard let space = tokenOf[" "] else { throw ModelError.languageModel(path: "-", reason: "the vocabulary has no space token, so it cannot spell words") }
        tokenOf[" "] = nil
        var child = [Int: Int32](), wordAt: [Int32] = [-1], mass: [Double] = [0]
        for (id, word) in lm.words.enumerated() where id >= 3 {
            let spelled = word.compactMap { tokenOf[$0] }
            guard spelled.count == word.count else { continue }
            let p = Double(Foundation.exp(lm.logProb(id, context: [])))
            var node = 0
            mass[0] += p
            for t in spelled {
                if let c = child[node << 5 | t] { node = Int(c) } else {
                    child[node << 5 | t] = Int32(wordAt.count)
                    node = wordAt.count
                    wordAt.append(-1); mass.append(0)
                }
                mass[node] += p
            }
            wordAt[node] = Int32(id)
        }
        guard mass[0] > 0 else { throw ModelError.languageModel(path: "-", reason: "none of the language model's words can be spelled with the model's characters") }
        self.lm = lm
        self.classes = vocabulary.count
        self.oovPenalty = oovPenalty
        self.child = child
        self.logMass = mass.map { Float(Foundation.log($0)) }
        self.wordAt = wordAt
        self.space = space
    }

    /// Words in the prefix tree.
    public var lexiconSize: Int { wordAt.filter { $0 >= 0 }.count }

    /// The node spelled by `tokens` from the root, or nil when they leave the tree.
    private func node(_ tokens: ArraySlice<Int>) -> Int? {
        var n = 0
        for t in tokens {
            guard let c = child[n << 5 | t] else { return nil }
            n = Int(c)
        }
        return n
    }

    /// The n-gram id of a spelled word (`<unk>` when it is not a word of the tree).
    private func wordID(_ tokens: ArraySlice<Int>) -> Int {
        guard let n = node(tokens), wordAt[n] >= 0 else { return WordLM.unknown }
        return Int(wordAt[n])
    }

    /// The ids of the last (order − 1) complete words before `end` (the index of a space), `<s>` first when the
    /// sentence starts within them.
    private func context(_ history: [Int], before end: Int) -> [Int] {
        var ids = [Int](), stop = end
        var i = end - 1
        while ids.count < lm.order - 1 {
            if i < 0 {
                ids.append(stop > 0 ? wordID(history[0..<stop]) : WordLM.sentenceStart)
                if stop > 0, ids.count < lm.order - 1 { ids.append(WordLM.sentenceStart) }
                break
            }
            if history[i] == space {
                ids.append(wordID(history[(i + 1)..<stop]))
                stop = i
            }
            i -= 1
        }
        return ids.reversed()
    }

    /// ln P(token | history): the look-ahead step inside a word, the swap for the n-gram at its end (plus
    /// ln P(</s> | …) for EOS).
    public func logProb(_ token: Int, after history: [Int]) -> Float { logProbs([token], after: history)[0] }

    /// ln P of each token after one history; the history is parsed once.
    public func logProbs(_ tokens: [Int], after history: [Int]) -> [Float] {
        let start = (history.lastIndex(of: space) ?? -1) + 1       // the current word is history[start...]
        let partial = history[start...]
        let ctx = context(history, before: start - 1 < 0 ? 0 : start - 1)
        let at = node(partial)
        let spent = at.map { logMass[$0] - logMass[0] } ?? 0         // look-ahead charged so far for this word
        return tokens.map { score($0, history: history, partial: partial, ctx: ctx, at: at, spent: spent) }
    }

    private func score(_ token: Int, history: [Int], partial: ArraySlice<Int>, ctx: [Int], at: Int?, spent: Float) -> Float {
        func unknownWord() -> Float { lm.logProb(WordLM.unknown, context: ctx[...]) + oovPenalty - spent }
        if token != space && token != Vocabulary.eos {
            guard let at else { return 0 }                           // inside an out-of-vocabulary word
            if let next = child[at << 5 | token] { return logMass[Int(next)] - logMass[at] }
            return unknownWord()                                     // leaves the tree: an out-of-vocabulary word
        }
        // The word ends.
        var score: Float = 0, word = WordLM.unknown
        if token == Vocabulary.eos && history.isEmpty {
            return lm.logProb(WordLM.sentenceEnd, context: [WordLM.sentenceStart])
        }
        if partial.isEmpty {
            score = Self.emptyWord                                   // a leading, doubled or trailing space
        } else if let at, wordAt[at] >= 0 {
            word = Int(wordAt[at])
            score = lm.logProb(word, context: ctx[...]) - spent
        } else if at != nil {
            score = unknownWord()                                    // a prefix that is no word
        }
        if token == Vocabulary.eos { score += lm.logProb(WordLM.sentenceEnd, context: (ctx + [word])[...]) }
        return score
    }
}
