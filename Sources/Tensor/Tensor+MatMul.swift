// Tensor+MatMul: matrix and batched matrix products on cblas_sgemm, with optional transposes, and
// their backward (two more GEMMs that accumulate straight into the gradients with beta = 1).
import Foundation

extension Tensor {
    /// op(a) · op(b), op = transpose of the last two dims when asked.
    ///
    /// - a: `[..., M, K]` (`[..., K, M]` if transposeA); b: `[K, N]` (`[N, K]` if transposeB) or
    ///   `[..., K, N]` with the same leading dims as a (a 2-D operand is shared across the batch).
    /// - returns: `[..., M, N]`. `[B, T, F] · [F, H]` runs as one GEMM with M = B·T.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.rank >= 2 && b.rank >= 2, "matmul: needs rank ≥ 2, got shapes \(a.shape) and \(b.shape)")
        let aBatch = Array(a.shape.dropLast(2)), bBatch = Array(b.shape.dropLast(2))
        precondition(aBatch.isEmpty || bBatch.isEmpty || aBatch == bBatch,
                     "matmul: batch dims of \(a.shape) and \(b.shape) differ")
        var m = transposeA ? a.shape[a.rank - 1] : a.shape[a.rank - 2]
        let k = transposeA ? a.shape[a.rank - 2] : a.shape[a.rank - 1]
        let kb = transposeB ? b.shape[b.rank - 1] : b.shape[b.rank - 2]
        let n = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
        precondition(k == kb, "matmul: inner dims differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
        let batchDims = aBatch.isEmpty ? bBatch : aBatch
        var batch = count(of: batchDims)
        // A shared 2-D right operand and an untransposed left one: fold the batch into M.
        if bBatch.isEmpty && !transposeA { m *= batch; batch = 1 }
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
        let aStride = aBatch.isEmpty ? 0 : m * k, bStride = bBatch.isEmpty ? 0 : k * n, cStride = m * n
        var out = [Float](repeating: 0, count: batch * m * n)
        a.data.withUnsafeBufferPointer { ap in
            b.data.withUnsafeBufferPointer { bp in
                out.withUnsafeMutableBufferPointer { cp in
                    for i in 0..<batch {
                        BLAS.sgemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k,
                                   a: ap.baseAddress! + i * aStride, lda: lda, b: bp.baseAddress! + i * bStride, ldb: ldb,
                                   beta: 0, c: cp.baseAddress! + i * cStride, ldc: n)
                    }
                }
            }
        }
        let (ad, bd) = (a.data, b.data)
        return make("matmul", shape: batchDims + [transposeA ? a.shape[a.rank - 1] : a.shape[a.rank - 2], n],
                     data: out, parents: [a, b]) { g in
            g.withUnsafeBufferPointer { gp in
                let dc = gp.baseAddress!
                if a.requiresGrad {
                    a.accumulateGrad { da in
                        bd.withUnsafeBufferPointer { bp in
                            for i in 0..<batch {
                                let dC = dc + i * cStride, B = bp.baseAddress! + i * bStride, dA = da.baseAddress! + i * aStride
                                if !transposeA {   // dA[M,K] = dC · op(B)ᵀ
                                    BLAS.sgemm(transA: false, transB: !transposeB, m: m, n: k, k: n,
                                               a: dC, lda: n, b: B, ldb: ldb, beta: 1, c: dA, ldc: k)
                                } else {           // dA[K,M] = op(B) · dCᵀ
                                    BLAS.sgemm(transA: transposeB, transB: true, m: k, n: m, k: n,
                                               a: B, lda: ldb, b: dC, ldb: n, beta: 1, c: dA, ldc: m)
                                }
                            }
                        }
                    }
                }
                if b.requiresGrad {
                    b.accumulateGrad { db in
                        ad.withUnsafeBufferPointer { ap in
                            for i in 0..<batch {
                                let dC = dc + i * cStride, A = ap.baseAddress! + i * aStride, dB = db.baseAddress! + i * bStride
                                if !transposeB {   // dB[K,N] = op(A)ᵀ · dC
                                    BLAS.sgemm(transA: !transposeA, transB: false, m: k, n: n, k: m,
                                               a: A, lda: lda, b: dC, ldb: n, beta: 1, c: dB, ldc: n)
                                } else {           // dB[N,K] = dCᵀ · op(A)
                                    BLAS.sgemm(transA: true, transB: transposeA, m: n, n: k, k: m,
                                               a: dC, lda: n, b: A, ldb: lda, beta: 1, c: dB, ldc: k)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// self · other (see `Tensor.matmul`).
    public func matmul(_ other: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        Tensor.matmul(self, other, transposeA: transposeA, transposeB: transposeB)
    }
}
