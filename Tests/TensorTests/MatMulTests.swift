// MatMul: values against a naive product and gradients for every transpose/batch combination.
import XCTest
@testable import Tensor

final class MatMulTests: XCTestCase {
    func naive(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k { c[i * n + j] += a[i * k + p] * b[p * n + j] } } }
        return c
    }

    func testValues() {
        let a = randomTensor([3, 4], seed: 1), b = randomTensor([4, 5], seed: 2)
        assertClose(Tensor.matmul(a, b).data, naive(a.data, b.data, m: 3, k: 4, n: 5))
        let bt = b.transpose(0, 1)
        assertClose(Tensor.matmul(a, bt, transposeB: true).data, naive(a.data, b.data, m: 3, k: 4, n: 5))
    }

    func testGradients2D() {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = randomTensor(ta ? [4, 3] : [3, 4], seed: 1), b = randomTensor(tb ? [5, 4] : [4, 5], seed: 2)
            checkGradients([a, b]) { Tensor.matmul(a, b, transposeA: ta, transposeB: tb) }
        }
    }

    func testGradientsBatched() {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = randomTensor(ta ? [2, 4, 3] : [2, 3, 4], seed: 3), b = randomTensor(tb ? [2, 5, 4] : [2, 4, 5], seed: 4)
            checkGradients([a, b]) { Tensor.matmul(a, b, transposeA: ta, transposeB: tb) }
            let w = randomTensor(tb ? [5, 4] : [4, 5], seed: 5)   // shared weight
            checkGradients([a, w]) { Tensor.matmul(a, w, transposeA: ta, transposeB: tb) }
        }
    }
}
