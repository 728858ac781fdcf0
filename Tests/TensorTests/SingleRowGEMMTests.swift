// One-row products take the sgemv path in BLAS.sgemm: every transpose combination, alpha and beta, against loops.
import Tensor
import TestSupport
import XCTest

final class SingleRowGEMMTests: XCTestCase {
    func testSingleRowMatchesLoops() {
        let k = 7, n = 5
        for transA in [false, true] {
            for transB in [false, true] {
                let a = seededTensor([k], seed: 1).data          // 1×K (or K×1 stored, lda = 1 then)
                let b = seededTensor([k * n], seed: 2).data      // K×N, or N×K when transB
                var c = seededTensor([n], seed: 3).data
                let c0 = c
                let (alpha, beta): (Float, Float) = (0.7, 0.3)
                BLAS.sgemm(transA: transA, transB: transB, m: 1, n: n, k: k, alpha: alpha, a: a, lda: transA ? 1 : k,
                           b: b, ldb: transB ? k : n, beta: beta, c: &c, ldc: n)
                for j in 0..<n {
                    var s: Float = 0
                    for p in 0..<k { s += a[p] * (transB ? b[j * k + p] : b[p * n + j]) }
                    XCTAssertEqual(c[j], alpha * s + beta * c0[j], accuracy: 1e-5, "transA \(transA) transB \(transB) j \(j)")
                }
            }
        }
        // Through the Tensor op: [1, K] · [K, N] and [1, K] · [N, K]ᵀ.
        let x = seededTensor([1, k], seed: 4), w = seededTensor([n, k], seed: 5)
        let y = Tensor.matmul(x, w, transposeB: true)
        for j in 0..<n {
            var s: Float = 0
            for p in 0..<k { s += x.data[p] * w.data[j * k + p] }
            XCTAssertEqual(y.data[j], s, accuracy: 1e-5)
        }
    }
}
