// The fused additive / location-aware attention energies: equal to the unfused ops, and gradient-checked.
import XCTest
@testable import Tensor

final class AdditiveAttentionOpTests: XCTestCase {
    /// The same energies from broadcasting ops: w·tanh((keys + q) + fᵀUᵀ).
    func unfused(_ keys: Tensor, _ q: Tensor, _ f: Tensor?, _ u: Tensor?, _ w: Tensor) -> Tensor {
        let (b, t, a) = (keys.shape[0], keys.shape[1], keys.shape[2])
        var e = keys + q.reshaped([b, 1, a])
        if let f, let u { e = e + Tensor.matmul(f.transpose(1, 2), u, transposeB: true) }
        return Tensor.matmul(e.tanh(), w.reshaped([1, a]), transposeB: true).reshaped([b, t])
    }

    func testMatchesUnfusedOpsWithAndWithoutLocation() {
        let keys = randomTensor([3, 7, 5], seed: 1), q = randomTensor([3, 5], seed: 2)
        let f = randomTensor([3, 4, 7], seed: 3), u = randomTensor([5, 4], seed: 4), w = randomTensor([1, 5], seed: 5)
        for withLocation in [false, true] {
            let inputs = [keys, q, w] + (withLocation ? [f, u] : [])
            for x in inputs { x.requiresGrad = true; x.zeroGrad() }
            let fused = Tensor.additiveAttentionScores(keys: keys, query: q, location: withLocation ? (f, u) : nil, weight: w)
            XCTAssertEqual(fused.shape, [3, 7])
            var rng = RNG(seed: 6)
            let seed = (0..<fused.count).map { _ in rng.uniform(-1, 1) }
            fused.backward(seed: seed)
            let fusedGrads = inputs.map { $0.grad! }
            for x in inputs { x.zeroGrad() }
            let reference = unfused(keys, q, withLocation ? f : nil, withLocation ? u : nil, w)
            reference.backward(seed: seed)
            assertClose(fused.data, reference.data, tol: 1e-5)
            for (k, x) in inputs.enumerated() { assertClose(fusedGrads[k], x.grad!, tol: 1e-5) }
        }
    }

    func testGradients() {
        let keys = randomTensor([2, 6, 4], seed: 11), q = randomTensor([2, 4], seed: 12)
        let f = randomTensor([2, 3, 6], seed: 13), u = randomTensor([4, 3], seed: 14), w = randomTensor([1, 4], seed: 15)
        checkGradients([keys, q, f, u, w]) { Tensor.additiveAttentionScores(keys: keys, query: q, location: (f, u), weight: w) }
        let w1 = randomTensor([4], seed: 16)
        checkGradients([keys, q, w1]) { Tensor.additiveAttentionScores(keys: keys, query: q, weight: w1) }
    }
}
