// The word n-gram language model: Kneser-Ney estimation against a hand count, normalization over the vocabulary
// (with and without pruning), the ARPA round trip and its damaged-file errors (named by line), the lexicon fusion's
// token scores adding up to the n-gram's sentence log-prob, and the fusion steering a beam search from a
// misspelling the (scripted) decoder prefers to the word the lexicon knows.
import Decoding
import Foundation
import Model
import TestSupport
import XCTest

final class WordLMTests: XCTestCase {
    let v = Vocabulary.characters
    let corpus = ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog", "the cat ate",
                  "on the mat the cat sat", "a log"].map { $0.split(separator: " ").map(String.init) }

    func testUnigramFollowsKneserNeyByHand() throws {
        // Order 1 keeps raw counts: a ×2, b ×1, c ×1, </s> ×2 (6 in all, 4 distinct); D = n1 / (n1 + 2 n2) = 2 / 6.
        let lm = try KneserNeyEstimator.estimate(sentences: [["a", "b"], ["a", "c"]], order: 1)
        let d = 1.0 / 3, gamma = d * 4 / 6, uniform = 1.0 / 5          // uniform over a b c </s> <unk>
        XCTAssertEqual(Double(exp(lm.logProb(lm.id("a"), context: []))), (2 - d) / 6 + gamma * uniform, accuracy: 1e-6)
        XCTAssertEqual(Double(exp(lm.logProb(lm.id("b"), context: []))), (1 - d) / 6 + gamma * uniform, accuracy: 1e-6)
        XCTAssertEqual(Double(exp(lm.logProb(WordLM.unknown, context: []))), gamma * uniform, accuracy: 1e-7)
        XCTAssertEqual(lm.id("zebra"), WordLM.unknown)
    }

    func testBigramUsesContinuationCountsBelowTheTopOrder() throws {
        // "b" follows 3 different words but is seen 3 times; "c" is seen 3 times after one word only. Kneser-Ney's
        // unigram level (continuation counts) therefore prefers b after an unseen history; raw counts would tie.
        let lm = try KneserNeyEstimator.estimate(sentences: [["x", "b"], ["y", "b"], ["z", "b"], ["w", "c"], ["w", "c"], ["w", "c"]], order: 2)
        XCTAssertGreaterThan(lm.logProb(lm.id("b"), context: [lm.id("c")]), lm.logProb(lm.id("c"), context: [lm.id("c")]) + 0.5)
    }

    func testProbabilitiesSumToOneForEveryHistoryPrunedOrNot() throws {
        for (order, minCount) in [(2, 1), (3, 1), (3, 2), (4, 2)] {
            let lm = try KneserNeyEstimator.estimate(sentences: corpus, order: order, minCount: minCount)
            let histories: [[String]] = [["<s>"], ["<s>", "the"], ["the", "cat"], ["on", "the"], ["a"], ["zebra"], ["the", "zebra"], ["sat", "on", "the"]]
            for h in histories {
                let ctx = h.map { $0 == "<s>" ? WordLM.sentenceStart : lm.id($0) }
                let total = lm.words.indices.filter { $0 != WordLM.sentenceStart }
                    .reduce(0.0) { $0 + Double(exp(lm.logProb($1, context: ctx[...]))) }
                XCTAssertEqual(total, 1, accuracy: 1e-5, "order \(order), min count \(minCount), history \(h)")
            }
        }
        let full = try KneserNeyEstimator.estimate(sentences: corpus, order: 3)
        let pruned = try KneserNeyEstimator.estimate(sentences: corpus, order: 3, minCount: 2)
        XCTAssertLessThan(pruned.ngramCounts[2], full.ngramCounts[2], "pruning drops trigrams")
        XCTAssertEqual(pruned.ngramCounts[0], full.ngramCounts[0], "pruning keeps every unigram")
        XCTAssertGreaterThan(full.sentenceLogProb(["the", "cat", "sat"]), full.sentenceLogProb(["cat", "the", "sat"]))
    }

    func testARPARoundTripAndDamagedFiles() throws {
        let lm = try KneserNeyEstimator.estimate(sentences: corpus, order: 3, minCount: 1)
        let dir = TestPaths.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("lm.arpa").path
        try lm.save(to: path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["lm.arpa"], "no temp file left")
        let back = try WordLM.load(path)
        XCTAssertEqual(back.ngramCounts, lm.ngramCounts)
        for s in [["the", "cat", "sat"], ["a", "zebra", "sat", "on", "the", "log"], []] {
            XCTAssertEqual(back.sentenceLogProb(s), lm.sentenceLogProb(s), accuracy: 1e-4, "\(s)")
        }
        XCTAssertEqual(back.arpa(), lm.arpa(), "written again, byte for byte")
        let text = lm.arpa()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let firstBigram = lines.firstIndex(of: "\\2-grams:")! + 1
        var badNumber = lines; badNumber[firstBigram] = "abc\t" + badNumber[firstBigram].split(separator: "\t")[1]
        var unknownWord = lines; unknownWord[firstBigram] = "-1.0\tthe zebra"
        let cases: [(String, String)] = [
            (String(text.dropLast(7)), "missing \\end\\"),
            (text.replacingOccurrences(of: "ngram 1=", with: "ngram 1=1"), "declares"),
            (badNumber.joined(separator: "\n"), "line \(firstBigram + 1): bad log10 probability 'abc'"),
            (unknownWord.joined(separator: "\n"), "'zebra', which is not a unigram"),
            ("hello\n", "line 1: not an ARPA language model"),
        ]
        for (body, message) in cases {
            let bad = dir.appendingPathComponent("bad.arpa").path
            try body.write(toFile: bad, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try WordLM.load(bad)) { XCTAssertTrue("\($0)".contains(message), "want '\(message)', got \($0)") }
        }
        XCTAssertThrowsError(try WordLM.load(dir.appendingPathComponent("missing.arpa").path))
        XCTAssertThrowsError(try KneserNeyEstimator.estimate(sentences: [["a", "<s>"]], order: 2), "a reserved word in the text")
    }

    /// Σ of the lexicon fusion's token scores over a sentence's characters and EOS.
    func fusedScore(_ fusion: LexiconWordLM, _ sentence: String) -> Float {
        let tokens = v.encode(sentence) + [Vocabulary.eos]
        return tokens.indices.reduce(Float(0)) { $0 + fusion.logProb(tokens[$1], after: Array(tokens[..<$1])) }
    }

    func testLexiconTokenScoresAddUpToTheSentenceLogProb() throws {
        for order in [1, 2, 3, 4] {
            let lm = try KneserNeyEstimator.estimate(sentences: corpus, order: order)
            let fusion = try LexiconWordLM(lm: lm, vocabulary: v, oovPenalty: -2)
            XCTAssertEqual(fusion.lexiconSize, lm.vocabularySize - 3)
            for s in ["the cat sat on the mat", "a dog", "the", "on the log the cat ate"] {
                XCTAssertEqual(fusedScore(fusion, s), lm.sentenceLogProb(s.split(separator: " ").map(String.init)), accuracy: 1e-3, "order \(order): \(s)")
            }
            // Out-of-vocabulary words cost ln P(<unk> | history) plus the penalty, wherever they leave the tree
            // ("cap" after "ca", "xylo" at once, "ca" as a prefix that is no word).
            for s in ["the cap sat", "xylo the cat", "a ca"] {
                let words = s.split(separator: " ").map(String.init)
                let oov = Float(words.filter { !lm.contains($0) }.count)
                XCTAssertEqual(fusedScore(fusion, s), lm.sentenceLogProb(words) - 2 * oov, accuracy: 1e-3, "order \(order): \(s)")
            }
            XCTAssertEqual(fusion.logProb(Vocabulary.eos, after: []), lm.logProb(WordLM.sentenceEnd, context: [WordLM.sentenceStart]), accuracy: 1e-6)
        }
        // Inside a word, a character that keeps to real words costs less than one that leaves them.
        let fusion = try LexiconWordLM(lm: try KneserNeyEstimator.estimate(sentences: corpus, order: 3), vocabulary: v)
        XCTAssertGreaterThan(fusion.logProb(v.encode("t")[0], after: v.encode("the ca")), fusion.logProb(v.encode("q")[0], after: v.encode("the ca")))
    }

    func testFusionSteersTheSearchToAWordTheLexiconKnows() throws {
        // The decoder prefers "kat" (k 0.5 against c 0.4 at the first step), then "a", "t" and EOS.
        struct Kat: StepDecoder {
            let vocabularySize = 30, frames = 4
            func initialState(hypotheses: Int) -> Int { 0 }
            func step(_ tokens: [Int], _ state: Int) -> (logProbs: [Float], attention: [Float], state: Int) {
                let v = Vocabulary.characters
                var row = [Float](repeating: log(0.001), count: vocabularySize)
                switch state {
                case 0: (row[v.encode("k")[0]], row[v.encode("c")[0]]) = (log(0.5), log(0.4))
                case 1: row[v.encode("a")[0]] = log(0.9)
                case 2: row[v.encode("t")[0]] = log(0.9)
                default: row[Vocabulary.eos] = log(0.9)
                }
                return (Array([[Float]](repeating: row, count: tokens.count).joined()), [Float](repeating: 0.25, count: tokens.count * frames), state + 1)
            }
            func reorder(_ state: Int, _ indices: [Int]) -> Int { state }
        }
        var options = BeamOptions(beam: 4)
        XCTAssertEqual(v.decode(BeamSearch(options: options).decode(Kat()).first!.tokens), "kat", "without the LM")
        options.languageModel = try LexiconWordLM(lm: try KneserNeyEstimator.estimate(sentences: corpus, order: 3), vocabulary: v)
        options.lmWeight = 0.5
        XCTAssertEqual(v.decode(BeamSearch(options: options).decode(Kat()).first!.tokens), "cat")
        // A large enough OOV bonus lets the decoder's own spelling through again.
        options.languageModel = try LexiconWordLM(lm: try KneserNeyEstimator.estimate(sentences: corpus, order: 3), vocabulary: v, oovPenalty: 20)
        XCTAssertEqual(v.decode(BeamSearch(options: options).decode(Kat()).first!.tokens), "kat")
    }

    func testReadsAKenLMStyleARPAAndBacksOffByHand() throws {
        // What KenLM writes: <unk> and <s> listed as unigrams (<s> at −99 with a backoff), trailing tabs, blank lines.
        let arpa = "\n\\data\\\nngram 1=5\nngram 2=3\n\n\\1-grams:\n-1.0\t<unk>\t\n-99\t<s>\t-0.3\n-0.5\t</s>\n-0.6\ta\t-0.2\n-0.7\tb\n\n"
            + "\\2-grams:\n-0.1\t<s> a\n-0.4\ta b\n-0.3\ta </s>\n\n\\end\\\n"
        let lm = try WordLM.parse(arpa, path: "kenlm.arpa")
        XCTAssertEqual(lm.order, 2)
        XCTAssertEqual(lm.ngramCounts, [5, 3])
        let ln10 = Float(M_LN10), s = [WordLM.sentenceStart], a = lm.id("a"), b = lm.id("b")
        XCTAssertEqual(lm.logProb(a, context: s[...]), -0.1 * ln10, accuracy: 1e-5, "listed")
        XCTAssertEqual(lm.logProb(b, context: s[...]), (-0.3 - 0.7) * ln10, accuracy: 1e-5, "backoff(<s>) + P(b)")
        XCTAssertEqual(lm.logProb(a, context: [a]), (-0.2 - 0.6) * ln10, accuracy: 1e-5, "backoff(a) + P(a)")
        XCTAssertEqual(lm.logProb(lm.id("zebra"), context: [a]), (-0.2 - 1.0) * ln10, accuracy: 1e-5, "backoff(a) + P(<unk>)")
        XCTAssertEqual(lm.logProb(WordLM.sentenceEnd, context: [b]), -0.5 * ln10, accuracy: 1e-5, "b has no backoff: 0")
        XCTAssertEqual(lm.sentenceLogProb(["a", "b"]), (-0.1 - 0.4 - 0.5) * ln10, accuracy: 1e-5)
    }
}
