// BLAS: the thin Swift face of OpenBLAS's sgemm (sgemv for single rows) and its core query. Shapes are checked by the
// callers (Tensor+MatMul.swift); this file only passes pointers and leading dimensions.
import CBLAS

public enum BLAS {
    /// The kernel family OpenBLAS chose ("SkylakeX", "Haswell", "Prescott" = slow generic fallback).
    public static func coreName() -> String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// C[M,N] = alpha · op(A)[M,K] · op(B)[K,N] + beta · C, row-major, op = transpose when asked.
    /// `lda`/`ldb` are the row lengths of A and B as stored.
    @inline(__always)
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {  // BLAS leaves C alone for k == 0 only when beta == 1
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } }
            return
        }
        if m == 1 {
            // One row (a decoder step of one hypothesis): sgemv skips sgemm's packing of all of B, which
            // dominated a 1×768 · 768×2048 LSTM step (1.13 ms → 0.25 ms measured with OpenBLAS 0.3.21 here).
            // c = op(B)ᵀ · a; a's elements are lda apart when A is stored transposed ([K, 1]).
            cblas_sgemv(CblasRowMajor, transB ? CblasNoTrans : CblasTrans, Int32(transB ? n : k), Int32(transB ? k : n),
                        alpha, b, Int32(ldb), a, Int32(transA ? lda : 1), beta, c, 1)
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
