// NN ops: embedding, layer norm, dropout, masked fill — values and gradients.
import XCTest
@testable import Tensor

final class NNOpsTests: XCTestCase {
    func testEmbedding() {
        let table = Tensor(shape: [3, 2], data: [0, 1, 10, 11, 20, 21])
        let e = Tensor.embedding(table, indices: [2, 0, 2, 1], shape: [2, 2])
        XCTAssertEqual(e.shape, [2, 2, 2])
        XCTAssertEqual(e.data, [20, 21, 0, 1, 20, 21, 10, 11])
        let t = randomTensor([4, 3])
        checkGradients([t]) { Tensor.embedding(t, indices: [1, 3, 1, 0, 1]) }
    }

    func testLayerNorm() {
        let x = randomTensor([2, 3, 6], -2, 2, seed: 1), g = randomTensor([6], 0.5, 1.5, seed: 2), b = randomTensor([6], seed: 3)
        let y = Tensor.layerNorm(x, gamma: Tensor.ones([6]), beta: Tensor.zeros([6]))
        let row = Array(y.data[0..<6])
        XCTAssertEqual(row.reduce(0, +) / 6, 0, accuracy: 1e-5)
        XCTAssertEqual(row.map { $0 * $0 }.reduce(0, +) / 6, 1, accuracy: 1e-3)
        checkGradients([x, g, b]) { Tensor.layerNorm(x, gamma: g, beta: b) }
    }

    func testDropoutIsSeededAndScaled() {
        let x = Tensor.ones([1000])
        var r1 = RNG(seed: 5), r2 = RNG(seed: 5)
        let a = x.dropout(0.25, rng: &r1), b = x.dropout(0.25, rng: &r2)
        XCTAssertEqual(a.data, b.data)
        let zeros = a.data.filter { $0 == 0 }.count
        XCTAssertTrue((200...300).contains(zeros), "\(zeros) dropped of 1000 at p = 0.25")
        XCTAssertTrue(a.data.allSatisfy { $0 == 0 || abs($0 - 4.0 / 3) < 1e-6 })
        let w = randomTensor([20])
        checkGradients([w]) { var r = RNG(seed: 9); return w.dropout(0.5, rng: &r) }
    }

    func testDropperIsTheIdentityUnlessTraining() {
        let x = Tensor.ones([400])
        var rng = RNG(seed: 3)
        XCTAssertEqual(Tensor.dropper(0.5, rng: nil)(x).data, x.data, "no RNG: inference")
        withUnsafeMutablePointer(to: &rng) { r in
            XCTAssertEqual(Tensor.dropper(0, rng: r)(x).data, x.data, "p = 0")
            let y = Tensor.dropper(0.5, rng: r)(x).data
            XCTAssertTrue(y.allSatisfy { $0 == 0 || $0 == 2 })
            XCTAssertTrue((140...260).contains(y.filter { $0 == 0 }.count))
        }
        var replay = RNG(seed: 3)
        XCTAssertEqual(rng.next(), { _ = x.dropout(0.5, rng: &replay); return replay.next() }(),
                       "the dropper draws from the caller's RNG, as dropout does")
    }

    func testMaskedFill() {
        let x = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        let mask = Tensor(shape: [1, 3], data: [0, 1, 0])
        XCTAssertEqual(x.maskedFill(mask, value: -9).data, [1, -9, 3, 4, -9, 6])
        let w = randomTensor([2, 3])
        checkGradients([w]) { w.maskedFill(mask, value: -1e9).softmax() }
    }
}
