// EditAlignerTests: exact agreement with jiwer 4 (word and character hits/S/D/I) on the goldens, and the
// tie-breaking and empty-sequence rules on hand-made cases.
import Evaluation
import XCTest

final class EditAlignerTests: XCTestCase {
    private func counts(_ ref: String, _ hyp: String, aligner: inout EditAligner,
                        interner: inout TokenInterner) -> (words: [Int], chars: [Int]) {
        var r: [Int32] = [], h: [Int32] = []
        interner.wordIDs(ref, into: &r); interner.wordIDs(hyp, into: &h)
        let w = aligner.count(reference: r, hypothesis: h)
        Tokenization.characters(ref, into: &r); Tokenization.characters(hyp, into: &h)
        let c = aligner.count(reference: r, hypothesis: h)
        return ([w.hits, w.substitutions, w.deletions, w.insertions], [c.hits, c.substitutions, c.deletions, c.insertions])
    }

    func testSharedWERCasesMatchJiwerPerPairAndCorpus() throws {
        let cases = try GoldenFiles.werCases()
        XCTAssertEqual(cases.pairs.count, 15)
        var aligner = EditAligner(), interner = TokenInterner()
        var wordTotal = [0, 0, 0, 0], charTotal = [0, 0, 0, 0]
        for p in cases.pairs {
            let got = counts(p.reference, p.hypothesis, aligner: &aligner, interner: &interner)
            XCTAssertEqual(got.words, p.words, "words of \(p.id)")
            XCTAssertEqual(got.chars, p.characters, "characters of \(p.id)")
            for k in 0..<4 { wordTotal[k] += got.words[k]; charTotal[k] += got.chars[k] }
        }
        XCTAssertEqual(wordTotal, cases.corpusWords)
        XCTAssertEqual(charTotal, cases.corpusCharacters)
    }

    func testRandomGoldenPairsMatchJiwerExactly() throws {
        let pairs = try GoldenFiles.randomPairs()
        XCTAssertGreaterThan(pairs.count, 4000)
        var aligner = EditAligner(), interner = TokenInterner()
        var failures = 0
        for p in pairs {
            let got = counts(p.reference, p.hypothesis, aligner: &aligner, interner: &interner)
            if got.words != p.words || got.chars != p.characters {
                failures += 1
                if failures <= 5 {
                    XCTFail("\(p.id): words \(got.words) vs jiwer \(p.words), chars \(got.chars) vs jiwer \(p.characters)")
                }
            }
        }
        XCTAssertEqual(failures, 0, "pairs disagreeing with jiwer")
    }

    func testSwapIsHitDeletionInsertionNotTwoSubstitutions() {
        var aligner = EditAligner()
        let c = aligner.count(reference: [1, 2], hypothesis: [2, 1])
        XCTAssertEqual(c, ErrorCounts(hits: 1, substitutions: 0, deletions: 1, insertions: 1))
        XCTAssertEqual(aligner.operations, [.insertion, .match, .deletion])
    }

    func testEmptySequences() {
        var aligner = EditAligner()
        XCTAssertEqual(aligner.count(reference: [], hypothesis: []), ErrorCounts())
        XCTAssertEqual(aligner.count(reference: [], hypothesis: [4, 5]), ErrorCounts(insertions: 2))
        XCTAssertEqual(aligner.count(reference: [4, 5, 6], hypothesis: []), ErrorCounts(deletions: 3))
        XCTAssertNil(ErrorCounts(insertions: 2).rate, "empty reference with insertions has no rate")
        XCTAssertEqual(ErrorCounts().rate, 0)
    }

    func testReusedAlignerEqualsFreshAligner() {
        var rng = SplitMix64(seed: 7)
        var reused = EditAligner()
        for _ in 0..<300 {
            let r = (0..<Int(rng.next() % 40)).map { _ in Int32(rng.next() % 3) }
            let h = (0..<Int(rng.next() % 40)).map { _ in Int32(rng.next() % 3) }
            var fresh = EditAligner()
            XCTAssertEqual(reused.count(reference: r, hypothesis: h), fresh.count(reference: r, hypothesis: h))
            XCTAssertEqual(reused.operations, fresh.operations)
        }
    }

    func testJiwerWordSplitting() {
        XCTAssertEqual(Tokenization.words("  a  b c "), ["a", "b", "c"])
        XCTAssertEqual(Tokenization.words("a\tb"), ["a\tb"], "a lone tab is not a separator in jiwer")
        XCTAssertEqual(Tokenization.words("a\t b\n\nc"), ["a", "b", "c"])
        XCTAssertEqual(Tokenization.words("\ta\t"), ["a"])
        XCTAssertEqual(Tokenization.words(""), [])
        var chars: [Int32] = []
        Tokenization.characters("  a  b ", into: &chars)
        XCTAssertEqual(chars, [97, 32, 32, 98], "cer strips the ends but keeps inner spaces")
    }
}
