// CTCPrefixScorer against brute force (every CTC path of a small problem, collapsed), and joint CTC/attention
// beam search on scripted decoders: CTC overrides an attention decoder that wants to stop early.
import Decoding
import Foundation
import Model
import Tensor
import XCTest

final class CTCPrefixScorerTests: XCTestCase {
    /// Random log-softmax rows [frames, classes].
    func randomLogProbs(frames: Int, classes: Int, seed: UInt64) -> [Float] {
        var g = RNG(seed: seed)
        var out = [Float]()
        for _ in 0..<frames {
            let logits = (0..<classes).map { _ in Float(g.next() % 1000) / 250 }
            let m = logits.max()!, z = logits.map { exp($0 - m) }.reduce(0, +)
            out += logits.map { $0 - m - log(z) }
        }
        return out
    }

    /// Collapse a CTC path: merge repeats, drop blanks (0).
    func collapse(_ path: [Int]) -> [Int] {
        var out = [Int](), prev = -1
        for k in path { if k != prev && k != 0 { out.append(k) }; prev = k }
        return out
    }

    func testPrefixAndEndScoresMatchBruteForce() {
        let t = 5, v = 4
        for seed in 0..<3 as Range<UInt64> {
            let lp = randomLogProbs(frames: t, classes: v, seed: seed)
            let scorer = CTCPrefixScorer(logProbs: lp, frames: t, classes: v, blank: 0)
            // Probability mass of every collapsed output.
            var mass = [[Int]: Double]()
            var path = [Int](repeating: 0, count: t)
            func visit(_ i: Int, _ logP: Double) {
                if i == t { mass[collapse(path), default: 0] += exp(logP); return }
                for k in 0..<v { path[i] = k; visit(i + 1, logP + Double(lp[i * v + k])) }
            }
            visit(0, 0)
            XCTAssertEqual(mass.values.reduce(0, +), 1, accuracy: 1e-4)
            for prefix in [[1], [2], [1, 1], [1, 2], [2, 2, 3], [3, 1, 3], [1, 1, 1]] {
                let s = scorer.state(of: prefix)
                let begins = mass.filter { $0.key.starts(with: prefix) }.values.reduce(0, +)
                let exact = mass[prefix] ?? 0
                XCTAssertEqual(Double(exp(s.score)), begins, accuracy: 1e-5 + 1e-4 * begins, "ψ(\(prefix)) seed \(seed)")
                XCTAssertEqual(Double(exp(scorer.endScore(s))), exact, accuracy: 1e-5 + 1e-4 * exact, "end(\(prefix)) seed \(seed)")
                XCTAssertEqual(s.length, prefix.count)
            }
            XCTAssertEqual(Double(exp(scorer.endScore(scorer.initial()))), mass[[]] ?? 0, accuracy: 1e-6)
        }
    }

    func testPrefixScoresEqualExtendedStates() {
        let lp = randomLogProbs(frames: 9, classes: 6, seed: 5)
        let scorer = CTCPrefixScorer(logProbs: lp, frames: 9, classes: 6)
        for prefix in [[], [3], [3, 3], [1, 4, 2]] {
            let s = scorer.state(of: prefix)
            let scores = scorer.prefixScores(s, tokens: [1, 2, 3, 4, 5])
            for (j, c) in [1, 2, 3, 4, 5].enumerated() {
                XCTAssertEqual(scores[j], scorer.extend(s, with: c).score, accuracy: 1e-4, "\(prefix) + \(c)")
            }
        }
    }

    func testPrefixLongerThanFramesHasZeroProbability() {
        let lp = randomLogProbs(frames: 2, classes: 4, seed: 7)
        let scorer = CTCPrefixScorer(logProbs: lp, frames: 2, classes: 4)
        XCTAssertEqual(scorer.state(of: [1, 2, 3]).score, -.infinity)
        XCTAssertEqual(scorer.prefixScores(scorer.state(of: [1, 2]), tokens: [3]), [-.infinity])
        XCTAssertEqual(scorer.endScore(scorer.state(of: [1, 1])), -.infinity)   // a repeat needs a blank between: 3 frames
    }

    /// CTC log-probs that spell `tokens` one per frame, with blanks around, confidently.
    func spelling(_ tokens: [Int], classes v: Int) -> (lp: [Float], frames: Int) {
        let frames = [0] + tokens.flatMap { [$0, 0] }
        var lp = [Float]()
        for k in frames {
            var row = [Float](repeating: log(0.01 / Float(v - 1)), count: v)
            row[k] = log(0.99)
            lp += row
        }
        return (lp, frames.count)
    }

    func testJointSearchFollowsCTCWhereAttentionStopsEarly() {
        // The attention decoder always prefers EOS (0.6) over token 4 (0.3); CTC spells 4 4 4 (with blanks).
        let (lp, frames) = spelling([4, 4, 4], classes: 30)
        let ctc = CTCPrefixScorer(logProbs: lp, frames: frames, classes: 30)
        var options = BeamOptions(beam: 4)
        XCTAssertEqual(BeamSearch(options: options).decode(EagerEOSDecoder(), ctc: ctc).first?.tokens, [])   // λ = 0: attention only
        options.ctcWeight = 0.5
        let joint = BeamSearch(options: options).decode(EagerEOSDecoder(), ctc: ctc)
        XCTAssertEqual(joint.first?.tokens, [4, 4, 4])
        options.ctcWeight = 0.5
        XCTAssertEqual(BeamSearch(options: options).decode(EagerEOSDecoder(), ctc: nil).first?.tokens, [])   // no head: unchanged
    }

    func testJointSearchResumesFromPrefixes() {
        // Finishing a streamed search: the live prefix [4] must be scored by CTC as a prefix, not from scratch.
        let (lp, frames) = spelling([4, 4], classes: 30)
        let ctc = CTCPrefixScorer(logProbs: lp, frames: frames, classes: 30)
        var options = BeamOptions(beam: 2)
        options.ctcWeight = 0.5
        let hyps = BeamSearch(options: options).decode(EagerEOSDecoder(), prefixes: [([4], log(0.3), [[0.25, 0.25, 0.25, 0.25]], [0.3])], ctc: ctc)
        XCTAssertEqual(hyps.first?.tokens, [4, 4])
    }
}
