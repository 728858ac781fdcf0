// BiLSTM with padded batches of very different lengths: gradient check, and the batch's parameter gradient equals
// the sum of each sequence's gradient run alone.
import NN
import Tensor
import TestSupport
import XCTest

final class BiLSTMPaddingTests: XCTestCase {
    func testBiLSTMVariedLengths() {
        var rng = RNG(seed: 3)
        let layer = BiLSTMLayer(input: 5, hidden: 6, rng: &rng)
        let x = seededTensor([4, 20, 5], seed: 4)
        assertGradients([("x", x)] + layer.namedParameters) { layer(x, lengths: [20, 13, 7, 1]) }
    }
    func testBiLSTMVariedLengthsBatchEqualsSingle() {
        var rng = RNG(seed: 3)
        let layer = BiLSTMLayer(input: 5, hidden: 6, rng: &rng)
        let x = seededTensor([3, 12, 5], seed: 4)
        let lengths = [12, 7, 3]
        // Gradient of sum over valid frames of the batch == sum of the single-sequence gradients.
        for p in layer.parameters { p.zeroGrad() }
        layer(x, lengths: lengths).sum().backward()
        let batched = layer.parameters.map { $0.grad ?? [] }
        var single = layer.parameters.map { [Float](repeating: 0, count: $0.count) }
        for b in 0..<3 {
            for p in layer.parameters { p.zeroGrad() }
            let xi = x.slice(axis: 0, b..<(b + 1)).slice(axis: 1, 0..<lengths[b])
            layer(xi.detached(), lengths: [lengths[b]]).sum().backward()
            for (k, p) in layer.parameters.enumerated() { for i in 0..<p.count { single[k][i] += p.grad?[i] ?? 0 } }
        }
        for k in 0..<batched.count { XCTAssertLessThan(maxAbsDifference(batched[k], single[k]), 1e-4, "param \(k)") }
    }
}
