// Online mean normalization: the sliding-window formula, the same result whether frames arrive at once or in pieces,
// and a reset that starts a new utterance.
import Features
import Tensor
import XCTest

final class OnlineMeanNormalizerTests: XCTestCase {
    func randomFrames(_ frames: Int, dim: Int, seed: UInt64) -> [Float] {
        var rng = RNG(seed: seed)
        return (0..<(frames * dim)).map { _ in 4 * rng.nextFloat() - 1 }
    }

    /// m_t = Σ_{s = max(0, t−W+1)}^{t} x_s / (min(t+1, W) + P), computed directly in Double.
    func naive(_ x: [Float], dim: Int, window: Int, prior: Int) -> [Float] {
        let frames = x.count / dim
        var out = x
        for t in 0..<frames {
            let lo = max(0, t - window + 1)
            for f in 0..<dim {
                var s = 0.0
                for u in lo...t { s += Double(x[u * dim + f]) }
                out[t * dim + f] = x[t * dim + f] - Float(s / Double(t - lo + 1 + prior))
            }
        }
        return out
    }

    func testMatchesTheSlidingWindowFormula() {
        for (window, prior) in [(5, 3), (1, 0), (40, 0), (7, 100)] {
            let x = randomFrames(23, dim: 4, seed: UInt64(window * 31 + prior))
            let got = OnlineMeanNormalizer.apply(FeatureMatrix(frames: 23, dim: 4, data: x), window: window, priorFrames: prior).data
            let want = naive(x, dim: 4, window: window, prior: prior)
            for i in got.indices { XCTAssertEqual(got[i], want[i], accuracy: 1e-5, "window \(window), prior \(prior), value \(i)") }
        }
    }

    func testPiecesGiveWhatTheWholeUtteranceGets() {
        let dim = 3, x = randomFrames(50, dim: dim, seed: 9)
        let whole = OnlineMeanNormalizer.apply(FeatureMatrix(frames: 50, dim: dim, data: x), window: 8, priorFrames: 2).data
        var n = OnlineMeanNormalizer(dim: dim, window: 8, priorFrames: 2)
        var pieces = [Float](), t = 0
        for size in [1, 7, 0, 13, 2, 27] {
            pieces += n.normalize(Array(x[(t * dim)..<((t + size) * dim)]))
            t += size
        }
        XCTAssertEqual(t, 50)
        XCTAssertEqual(pieces, whole)
        n.reset()
        XCTAssertEqual(n.seen, 0)
        XCTAssertEqual(n.normalize(x), whole, "after reset, the same as a fresh normalizer")
    }

    /// A constant offset (a channel's colouring) is removed once the window has filled, up to the prior's share.
    func testRemovesAConstantOffset() {
        let x = [Float](repeating: 2, count: 20)
        let plain = OnlineMeanNormalizer.apply(FeatureMatrix(frames: 20, dim: 1, data: x), window: 4, priorFrames: 0).data
        XCTAssertTrue(plain.allSatisfy { abs($0) < 1e-6 }, "\(plain)")
        let shrunk = OnlineMeanNormalizer.apply(FeatureMatrix(frames: 20, dim: 1, data: x), window: 4, priorFrames: 4).data
        XCTAssertEqual(shrunk[0], 2 - 2.0 / 5, accuracy: 1e-6)
        XCTAssertEqual(shrunk[19], 2 - 2 * 4.0 / 8, accuracy: 1e-6)
    }
}
