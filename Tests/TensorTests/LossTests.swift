// Losses: cross-entropy (label smoothing, ignored padding) and CTC against brute force, with gradients.
import XCTest
import Foundation
@testable import Tensor

final class LossTests: XCTestCase {
    func testCrossEntropyValue() {
        let logits = Tensor(shape: [3, 3], data: [1, 2, 3, 0, 0, 0, 5, 1, 1])
        let lp = logits.logSoftmax().data
        let ce = Tensor.crossEntropy(logits: logits, targets: [2, 0, 1], ignoreIndex: 0)   // row 1 is padding
        XCTAssertEqual(ce.item, -(lp[2] + lp[7]) / 2, accuracy: 1e-5)
        let eps: Float = 0.1
        let smooth = Tensor.crossEntropy(logits: logits, targets: [2, 1, 1], ignoreIndex: nil, labelSmoothing: eps)
        var expected: Float = 0
        for (r, t) in [2, 1, 1].enumerated() {
            expected -= (1 - eps) * lp[r * 3 + t] + eps / 3 * (lp[r * 3] + lp[r * 3 + 1] + lp[r * 3 + 2])
        }
        XCTAssertEqual(smooth.item, expected / 3, accuracy: 1e-5)
    }

    func testCrossEntropyGradients() {
        let logits = randomTensor([2, 3, 5], -2, 2)
        checkGradients([logits]) { Tensor.crossEntropy(logits: logits, targets: [1, 0, 4, 2, 0, 3]) }
        checkGradients([logits]) { Tensor.crossEntropy(logits: logits, targets: [1, 0, 4, 2, 0, 3], labelSmoothing: 0.1) }
    }

    /// −log Σ over every frame labelling that collapses (merge repeats, drop blanks) to `target`.
    func bruteForceCTC(_ logp: [Float], frames: Int, v: Int, target: [Int]) -> Double {
        var total = 0.0
        var path = [Int](repeating: 0, count: frames)
        for code in 0..<Int(pow(Double(v), Double(frames))) {
            var c = code
            for f in 0..<frames { path[f] = c % v; c /= v }
            var collapsed = [Int](), prev = -1
            for k in path { if k != prev && k != 0 { collapsed.append(k) }; prev = k }
            if collapsed == target {
                total += exp((0..<frames).reduce(0.0) { $0 + Double(logp[$1 * v + path[$1]]) })
            }
        }
        return -Foundation.log(total)
    }

    func testCTCMatchesBruteForce() {
        let (t, v) = (5, 3)
        let logits = randomTensor([2, t, v], -2, 2, seed: 11)
        let targets = [[1, 1], [2, 1, 2]]
        let loss = Tensor.ctcLoss(logits: logits, inputLengths: [5, 5], targets: targets, reduction: .sum)
        let lp = logits.logSoftmax().data
        let expected = bruteForceCTC(Array(lp[0..<(t * v)]), frames: t, v: v, target: targets[0])
            + bruteForceCTC(Array(lp[(t * v)...]), frames: t, v: v, target: targets[1])
        XCTAssertEqual(Double(loss.item), expected, accuracy: 1e-4)
        // Shorter input length: only the first 4 frames count.
        let short = Tensor.ctcLoss(logits: logits.slice(axis: 0, 0..<1), inputLengths: [4], targets: [[2]], reduction: .sum)
        XCTAssertEqual(Double(short.item), bruteForceCTC(Array(lp[0..<(4 * v)]), frames: 4, v: v, target: [2]), accuracy: 1e-4)
    }

    func testCTCGradients() {
        let logits = randomTensor([2, 6, 4], -2, 2, seed: 12)
        checkGradients([logits]) { Tensor.ctcLoss(logits: logits, inputLengths: [6, 4], targets: [[1, 2, 2], [3]]) }
    }

    func testCTCImpossibleAlignmentIsZeroed() {
        let logits = randomTensor([1, 2, 3], seed: 13)
        let loss = Tensor.ctcLoss(logits: logits, inputLengths: [2], targets: [[1, 1]])   // needs 3 frames
        XCTAssertEqual(loss.item, 0)
    }
}
