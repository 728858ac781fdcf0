// CTC forced alignment: a known path is recovered, impossible alignments give nil, and on random inputs the
// Viterbi path equals the best of all paths found by brute force. Word times then follow the CTC spans.
import Decoding
import Model
import XCTest

final class CTCAlignerTests: XCTestCase {
    /// Log-probs [T, V] that put `peak` on `path[t]` and spread the rest evenly.
    func peaked(_ path: [Int], v: Int, peak: Float = 0.9) -> [Float] {
        path.flatMap { k in (0..<v).map { log($0 == k ? peak : (1 - peak) / Float(v - 1)) } }
    }

    func testRecoversTheObviousPath() {
        let path = [0, 2, 2, 0, 3, 0, 3, 0]                  // "2 3 3" with the blank between the repeats
        let spans = CTCAligner.align(logProbs: peaked(path, v: 5), frames: 8, vocabularySize: 5, tokens: [2, 3, 3], blank: 0)
        XCTAssertEqual(spans, [1...2, 4...4, 6...6])
    }

    func testImpossibleAlignmentsAreNil() {
        let lp = peaked([0, 3], v: 5)
        XCTAssertNil(CTCAligner.align(logProbs: lp, frames: 2, vocabularySize: 5, tokens: [3, 3], blank: 0), "repeat needs a blank: 3 frames")
        XCTAssertNil(CTCAligner.align(logProbs: lp, frames: 2, vocabularySize: 5, tokens: [1, 2, 3], blank: 0))
        XCTAssertNil(CTCAligner.align(logProbs: lp, frames: 2, vocabularySize: 5, tokens: [], blank: 0))
        XCTAssertNil(CTCAligner.align(logProbs: lp, frames: 2, vocabularySize: 5, tokens: [0], blank: 0), "blank is not a label")
        XCTAssertEqual(CTCAligner.align(logProbs: peaked([3, 0, 3], v: 5), frames: 3, vocabularySize: 5, tokens: [3, 3], blank: 0), [0...0, 2...2])
    }

    /// Every frame labelling that collapses to `tokens`, scored; the best one's token spans.
    func bruteForce(_ lp: [Float], frames: Int, v: Int, tokens: [Int]) -> (Float, [ClosedRange<Int>]) {
        var best: (Float, [ClosedRange<Int>]) = (-.infinity, [])
        var path = [Int](repeating: 0, count: frames)
        func visit(_ t: Int) {
            if t == frames {
                // Collapse: runs of equal labels merge, blanks drop.
                var out = [Int](), spans = [ClosedRange<Int>](), prev = -1
                for (i, k) in path.enumerated() {
                    if k != 0 && k != prev { out.append(k); spans.append(i...i) } else if k != 0 { spans[spans.count - 1] = spans.last!.lowerBound...i }
                    prev = k
                }
                guard out == tokens else { return }
                let s = path.enumerated().reduce(Float(0)) { $0 + lp[$1.offset * v + $1.element] }
                if s > best.0 { best = (s, spans) }
                return
            }
            for k in 0..<v { path[t] = k; visit(t + 1) }
        }
        visit(0)
        return best
    }

    func testMatchesBruteForceOnRandomInputs() {
        var seed: UInt64 = 12345
        func uniform() -> Float { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Float(seed >> 40) / Float(1 << 24) + 1e-3 }
        for trial in 0..<40 {
            let frames = 4 + trial % 3, v = 4
            var lp = [Float]()
            for _ in 0..<frames {
                let row = (0..<v).map { _ in uniform() }
                let z = row.reduce(0, +)
                lp += row.map { log($0 / z) }
            }
            let tokens = trial % 4 == 0 ? [1, 1] : [1 + trial % 3, 1 + (trial / 3) % 3]
            let (score, spans) = bruteForce(lp, frames: frames, v: v, tokens: tokens)
            let got = CTCAligner.align(logProbs: lp, frames: frames, vocabularySize: v, tokens: tokens, blank: 0)
            XCTAssertNotNil(got, "trial \(trial)")
            guard let got else { continue }
            // Ties are measure-zero with these random values, so the spans must agree.
            XCTAssertEqual(got, spans, "trial \(trial): best score \(score)")
        }
    }

    func testWordTimesFollowTheCTCSpans() {
        let vocab = Vocabulary.characters
        let tokens = vocab.encode("ab cd")
        let hyp = Hypothesis(tokens: tokens, logProb: 0, score: 0, attention: Array(repeating: [1, 0, 0, 0], count: tokens.count + 1),
                             tokenProbs: Array(repeating: 1, count: tokens.count))
        let spans: [ClosedRange<Int>] = [2...2, 3...4, 6...6, 10...11, 12...12]
        let words = Timestamps.words(hyp, vocabulary: vocab, frameRate: 25, offset: 1, ctcSpans: spans)
        XCTAssertEqual(words.map(\.word), ["ab", "cd"])
        XCTAssertEqual(words[0].start, 1 + 2.0 / 25, accuracy: 1e-9)
        XCTAssertEqual(words[0].end, 1 + 5.0 / 25, accuracy: 1e-9)
        XCTAssertEqual(words[1].start, 1 + 10.0 / 25, accuracy: 1e-9)
        XCTAssertEqual(words[1].end, 1 + 13.0 / 25, accuracy: 1e-9)
        // The end of the audio caps the times.
        let capped = Timestamps.words(hyp, vocabulary: vocab, frameRate: 25, offset: 1, ctcSpans: spans, limit: 1.5)
        XCTAssertEqual(capped[1].start, 1.4, accuracy: 1e-9)
        XCTAssertEqual(capped[1].end, 1.5, accuracy: 1e-9)
        // Without spans every character sits at frame 0 of the attention.
        let attention = Timestamps.words(hyp, vocabulary: vocab, frameRate: 25, offset: 1)
        XCTAssertEqual(attention[1].start, 1, accuracy: 1e-9)
    }
}
