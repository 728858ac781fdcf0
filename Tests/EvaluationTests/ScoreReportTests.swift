// ScoreReportTests: the accumulator's corpus totals, empty-reference rules, sclite alignment lines, confusion
// pairs, the seeded bootstrap interval, and the JSON summary line.
import Evaluation
import Foundation
import XCTest

final class ScoreReportTests: XCTestCase {
    func accumulate(_ pairs: [(String, String)], options: ScoreOptions = ScoreOptions()) -> ScoreAccumulator {
        var acc = ScoreAccumulator(options: options)
        for (k, p) in pairs.enumerated() { acc.add(id: "u\(k)", reference: p.0, hypothesis: p.1) }
        return acc
    }

    func testCorpusTotalsAndEmptyReferences() {
        var options = ScoreOptions()
        options.normalize = false
        let acc = accumulate([("the cat sat", "the bat sat"), ("", ""), ("", "spurious words"), ("a b", "")],
                             options: options)
        XCTAssertEqual(acc.utterances[1].words.rate, 0)
        XCTAssertNil(acc.utterances[2].words.rate)
        let r = acc.report()
        XCTAssertEqual(r.words, ErrorCounts(hits: 2, substitutions: 1, deletions: 2, insertions: 2))
        XCTAssertEqual(r.wer, 5.0 / 5.0)
        XCTAssertEqual(r.utterances, 4)
    }

    func testNormalizationIsAppliedUnlessRaw() {
        XCTAssertEqual(accumulate([("It's 42%", "its forty two percent")]).report().words.errors, 1)
        var raw = ScoreOptions()
        raw.normalize = false
        XCTAssertEqual(accumulate([("It's 42%", "it's forty two percent")], options: raw).report().words.errors, 4)
    }

    func testScliteAlignmentAndConfusions() {
        // Alignments as jiwer's visualize_alignment shows them.
        let r = accumulate([("the cat sat on the mat", "a cat sit on mat"), ("the dog", "a dog barks")]).report()
        XCTAssertEqual(r.worst.map(\.id), ["u0", "u1"])
        let lines = r.worst[0].scliteLines
        XCTAssertEqual(lines.reference, "REF:  THE cat SAT on THE mat")
        XCTAssertEqual(lines.hypothesis, "HYP:  A   cat SIT on *** mat")
        XCTAssertEqual(lines.eval, "Eval: S       S      D")
        XCTAssertEqual(r.worst[1].scliteLines.reference, "REF:  THE dog *****")
        XCTAssertEqual(r.worst[1].scliteLines.hypothesis, "HYP:  A   dog BARKS")
        XCTAssertEqual(r.worst[1].scliteLines.eval, "Eval: S       I")
        XCTAssertEqual(r.confusions.first, ConfusionPair(reference: "the", hypothesis: "a", count: 2))
        XCTAssertTrue(r.text().contains("REF:  THE cat SAT"))
    }

    func testBootstrapIsSeededAndBracketsTheWER() throws {
        var rng = SplitMix64(seed: 11)
        let vocab = ["a", "b", "c", "d"]
        let pairs = (0..<300).map { _ in
            (vocab.shuffled(using: &rng).joined(separator: " "), vocab.shuffled(using: &rng).prefix(3).joined(separator: " "))
        }
        let a = accumulate(pairs).report(), b = accumulate(pairs).report()
        let ci = try XCTUnwrap(a.werInterval95)
        XCTAssertEqual(ci.lower, b.werInterval95?.lower)
        XCTAssertEqual(ci.upper, b.werInterval95?.upper)
        let wer = try XCTUnwrap(a.wer)
        XCTAssertLessThan(ci.lower, wer)
        XCTAssertGreaterThan(ci.upper, wer)
        XCTAssertLessThan(ci.upper - ci.lower, 0.2)
        var other = ScoreOptions()
        other.seed = 99
        XCTAssertNotEqual(accumulate(pairs, options: other).report().werInterval95?.lower, ci.lower)
    }

    func testJSONSummaryIsTheLastLine() throws {
        let r = accumulate([("hello world", "hello word"), ("", "extra")]).report()
        let lines = r.jsonLines().split(separator: "\n")
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as? [String: Any])
        for key in ["utterances", "ref_words", "wer", "cer", "substitutions", "deletions", "insertions", "hits", "wer_ci95"] {
            XCTAssertNotNil(summary[key], key)
        }
        XCTAssertNil(summary["rtf"])
        XCTAssertEqual(summary["utterances"] as? Int, 2)
        XCTAssertEqual(summary["wer"] as? Double, 1.0)
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines.first!.utf8)) as? [String: Any])
        XCTAssertEqual(first["type"] as? String, "utterance")
        XCTAssertTrue(lines.contains { $0.contains("\"id\":\"u1\"") && $0.contains("\"wer\":null") })
    }
}
