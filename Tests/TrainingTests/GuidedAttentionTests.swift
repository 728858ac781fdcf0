// Guided attention loss: zero on the diagonal, larger the farther attention strays from it, padding ignored,
// gradient = the penalty weights; and a config's guided_attention keys are read and checked.
import Foundation
import Tensor
import Training
import XCTest

final class GuidedAttentionTests: XCTestCase {
    func attention(_ rows: [[Int]], frames t: Int) -> Tensor {
        // One-hot rows: rows[b][u] is the attended frame of output step u of sequence b.
        let b = rows.count, u = rows.map(\.count).max()!
        var data = [Float](repeating: 0, count: b * u * t)
        for (i, r) in rows.enumerated() { for (j, k) in r.enumerated() { data[(i * u + j) * t + k] = 1 } }
        return Tensor(shape: [b, u, t], data: data)
    }

    func testZeroOnTheDiagonalAndGrowingAwayFromIt() {
        let diagonal = Trainer.guidedAttentionLoss(attention([[0, 2, 4, 6]], frames: 8), outputs: [4], frames: [8], sigma: 0.2).item
        XCTAssertEqual(diagonal, 0, accuracy: 1e-6)
        let stuck = Trainer.guidedAttentionLoss(attention([[0, 0, 0, 0]], frames: 8), outputs: [4], frames: [8], sigma: 0.2).item
        let reversed = Trainer.guidedAttentionLoss(attention([[6, 4, 2, 0]], frames: 8), outputs: [4], frames: [8], sigma: 0.2).item
        XCTAssertGreaterThan(stuck, 0.2)
        XCTAssertGreaterThan(reversed, stuck)
        // Expected value of the stuck case by hand: mean over u of 1 − exp(−(u/4)² / 0.08).
        let expected = (0..<4).map { 1 - exp(-pow(Double($0) / 4, 2) / 0.08) }.reduce(0, +) / 4
        XCTAssertEqual(Double(stuck), expected, accuracy: 1e-5)
    }

    func testPaddingIsIgnored() {
        // Sequence 2 has 2 output steps over 4 frames; its padded steps and frames attend far away but must not count.
        let a = attention([[0, 2, 4, 6], [0, 2, 7, 7]], frames: 8)
        let both = Trainer.guidedAttentionLoss(a, outputs: [4, 2], frames: [8, 4], sigma: 0.2).item
        XCTAssertEqual(both, 0, accuracy: 1e-6)
    }

    func testGradientIsThePenalty() {
        let a = attention([[1, 3, 5]], frames: 6)
        a.requiresGrad = true
        let loss = Trainer.guidedAttentionLoss(a, outputs: [3], frames: [5], sigma: 0.3)
        loss.backward()
        let g = a.grad!
        for j in 0..<3 {
            for k in 0..<6 {
                let d = Float(k) / 5 - Float(j) / 3
                let w: Float = k < 5 ? (1 - exp(-d * d / (2 * 0.09))) / 3 : 0
                XCTAssertEqual(g[j * 6 + k], w, accuracy: 1e-6, "u \(j) t \(k)")
            }
        }
    }

    func testConfigKeysAreReadAndChecked() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ga-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.json").path
        try #"{"seed": 1, "guided_attention": {"weight": 2, "sigma": 0.3, "until_step": 500}}"#.write(toFile: good, atomically: true, encoding: .utf8)
        let c = try TrainingConfig.load(good)
        XCTAssertEqual(c.guidedAttention.weight, 2)
        XCTAssertEqual(c.guidedAttention.weight(step: 499), 2)
        XCTAssertEqual(c.guidedAttention.weight(step: 500), 0)
        let bad = dir.appendingPathComponent("bad.json").path
        try #"{"seed": 1, "guided_attention": {"weight": 1, "sigma": 0}}"#.write(toFile: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TrainingConfig.load(bad)) { XCTAssertTrue("\($0)".contains("guided_attention"), "\($0)") }
    }
}
