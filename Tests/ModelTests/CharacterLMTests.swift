// The character n-gram language model: normalization over the vocabulary, the discounting formula on a corpus
// small enough to count by hand, the file round trip and its damaged-file errors, and shallow fusion steering a
// beam search between two tokens the (scripted) decoder finds equally likely.
import Decoding
import Foundation
import Model
import TestSupport
import XCTest

final class CharacterLMTests: XCTestCase {
    let v = Vocabulary.characters
    func ids(_ s: String) -> [Int] { v.encode(s) }

    func testProbabilitiesSumToOneForEveryHistory() throws {
        let lm = try CharacterLM(sentences: ["the cat", "the hat", "a cat sat"].map(ids), order: 4, classes: v.count, discount: 0.7)
        for history in ["", "t", "th", "the c", "zzz", "a cat s", "qu'"] {
            let total = (1..<v.count).reduce(0.0) { $0 + Double(exp(lm.logProb($1, after: ids(history)))) }
            XCTAssertEqual(total, 1, accuracy: 1e-5, "history '\(history)'")
        }
    }

    func testBigramFollowsTheDiscountingFormula() throws {
        // Sentences "ab", "ab", "ac": after 'a', b was seen twice and c once (3 in all, 2 distinct).
        let lm = try CharacterLM(sentences: ["ab", "ab", "ac"].map(ids), order: 2, classes: v.count, discount: 0.5)
        // Unigram level: a×3, b×2, c×1, eos×3 = 9 tokens, 4 distinct.
        let uniform = 1 / Double(v.count - 1)
        let unigram = { (count: Double) in max(count - 0.5, 0) / 9 + 0.5 * 4 / 9 * uniform }
        let pB = (2 - 0.5) / 3 + 0.5 * 2 / 3 * unigram(2)
        let pD = 0 + 0.5 * 2 / 3 * unigram(0)
        XCTAssertEqual(Double(exp(lm.logProb(ids("b")[0], after: ids("a")))), pB, accuracy: 1e-6)
        XCTAssertEqual(Double(exp(lm.logProb(ids("d")[0], after: ids("a")))), pD, accuracy: 1e-7)
        XCTAssertGreaterThan(lm.logProb(ids("b")[0], after: ids("a")), lm.logProb(ids("c")[0], after: ids("a")))
        XCTAssertEqual(lm.ngramCounts, [4, 5])   // a b c eos; <s>a ab ac b</s> c</s>
    }

    func testFileRoundTripAndDamagedFiles() throws {
        let lm = try CharacterLM(sentences: ["hello world", "yellow words"].map(ids), order: 5, classes: v.count)
        let dir = TestPaths.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("lm.bin").path
        try lm.save(to: path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["lm.bin"], "no temp file left")
        let back = try CharacterLM.load(path)
        XCTAssertEqual(back.order, 5)
        XCTAssertEqual(back.ngramCounts, lm.ngramCounts)
        for (t, h) in [(ids("o")[0], "hell"), (Vocabulary.eos, "yellow words"), (ids("z")[0], "q")] {
            XCTAssertEqual(back.logProb(t, after: ids(h)), lm.logProb(t, after: ids(h)))
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let cases: [(Data, String)] = [(data.prefix(data.count - 5), "truncated"), (Data("NOTANLM!".utf8) + data.dropFirst(8), "bad magic"),
                                       (data + Data([1, 2, 3]), "trailing"), (Data(), "bad magic")]
        for (bytes, message) in cases {
            let bad = dir.appendingPathComponent("bad.bin").path
            try bytes.write(to: URL(fileURLWithPath: bad))
            XCTAssertThrowsError(try CharacterLM.load(bad)) { XCTAssertTrue("\($0)".contains(message), "\($0)") }
        }
        XCTAssertThrowsError(try CharacterLM.load(dir.appendingPathComponent("missing.bin").path))
        XCTAssertThrowsError(try CharacterLM(sentences: [[1, 2]], order: 3, classes: v.count), "EOS inside a sentence")
        XCTAssertThrowsError(try CharacterLM(sentences: [], order: 13, classes: v.count))
    }

    func testShallowFusionPicksTheTokenTheLanguageModelPrefers() throws {
        // The decoder gives tokens 4 ('a') and 5 ('b') the same probability at every step, then EOS after 3 steps.
        struct Tie: StepDecoder {
            let vocabularySize = 30, frames = 4
            func initialState(hypotheses: Int) -> Int { 0 }
            func step(_ tokens: [Int], _ state: Int) -> (logProbs: [Float], attention: [Float], state: Int) {
                var row = [Float](repeating: log(0.001), count: vocabularySize)
                if state < 3 { (row[4], row[5]) = (log(0.45), log(0.45)) } else { row[Vocabulary.eos] = log(0.9) }
                return (Array([[Float]](repeating: row, count: tokens.count).joined()), [Float](repeating: 0.25, count: tokens.count * frames), state + 1)
            }
            func reorder(_ state: Int, _ indices: [Int]) -> Int { state }
        }
        let lm = try CharacterLM(sentences: Array(repeating: ids("bbb"), count: 5) + [ids("aaa")], order: 3, classes: v.count)
        var options = BeamOptions(beam: 4)
        options.repetitionGuard = 0
        options.languageModel = lm
        options.lmWeight = 0.5
        XCTAssertEqual(BeamSearch(options: options).decode(Tie()).first?.tokens, ids("bbb"))
        let flipped = try CharacterLM(sentences: Array(repeating: ids("aaa"), count: 5) + [ids("bbb")], order: 3, classes: v.count)
        options.languageModel = flipped
        XCTAssertEqual(BeamSearch(options: options).decode(Tie()).first?.tokens, ids("aaa"))
    }
}
