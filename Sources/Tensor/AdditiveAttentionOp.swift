// AdditiveAttentionOp: the energies of additive (Bahdanau) and location-aware (Chorowski) attention as one
// fused op with its own backward: e[b,t] = w · tanh(keys[b,t] + q[b] + U·f[b,:,t]), with no broadcast copies
// of q and no separate location projection result. Not the softmax or the context (AttentionMechanism).
import Foundation

extension Tensor {
    /// Additive attention energies.
    ///
    /// - keys: `[B, T, A]` (V h + b, projected once per utterance); query: `[B, A]` (W s);
    ///   location: optional features `[B, F, T]` (conv1d of the previous alignment, its output layout) and
    ///   projection U `[A, F]`; weight: w as `[1, A]` (a Linear A → 1 without bias) or `[A]`.
    /// - returns: `[B, T]`.
    ///
    /// Same arithmetic, in the same order, as `(keys + q[:, None]) + (fᵀ · Uᵀ)`, tanh, `· wᵀ`, so results
    /// equal the unfused ops. Keeps tanh `[B, T, A]` for backward when recording.
    public static func additiveAttentionScores(keys: Tensor, query: Tensor, location: (features: Tensor, proj: Tensor)? = nil,
                                               weight: Tensor) -> Tensor {
        precondition(keys.rank == 3, "additiveAttentionScores: keys \(keys.shape) must be [B, T, A]")
        let (b, t, a) = (keys.shape[0], keys.shape[1], keys.shape[2])
        precondition(query.shape == [b, a], "additiveAttentionScores: query \(query.shape) must be [\(b), \(a)]")
        precondition(weight.count == a && (weight.shape == [a] || weight.shape == [1, a]),
                     "additiveAttentionScores: weight \(weight.shape) must be [1, \(a)] or [\(a)]")
        var nf = 0
        if let loc = location {
            let (f, u) = (loc.features, loc.proj)
            nf = u.shape.count == 2 ? u.shape[1] : 0
            precondition(u.shape == [a, nf] && f.shape == [b, nf, t],
                         "additiveAttentionScores: location features \(f.shape) / projection \(u.shape) must be [\(b), F, \(t)] / [\(a), F]")
        }
        let rows = b * t, n = rows * a
        // th = tanh(keys + q + U f), [B, T, A]
        let th = [Float](unsafeUninitializedCapacity: n) { dst, done in
            let d = dst.baseAddress!
            keys.data.withUnsafeBufferPointer { kp in
                query.data.withUnsafeBufferPointer { qp in
                    if let loc = location {
                        let (f, u) = (loc.features, loc.proj)
                        f.data.withUnsafeBufferPointer { fp in
                            u.data.withUnsafeBufferPointer { up in
                                for i in 0..<b {   // loc_b [T, A] = f_bᵀ [T, F] · Uᵀ [F, A]
                                    BLAS.sgemm(transA: true, transB: true, m: t, n: a, k: nf,
                                               a: fp.baseAddress! + i * nf * t, lda: t, b: up.baseAddress!, ldb: nf,
                                               beta: 0, c: d + i * t * a, ldc: a)
                                }
                            }
                        }
                        for i in 0..<b {
                            let q = qp.baseAddress! + i * a
                            for j in 0..<t {
                                let o = (i * t + j) * a
                                let k = kp.baseAddress! + o, row = d + o
                                for c in 0..<a { row[c] = (k[c] + q[c]) + row[c] }
                            }
                        }
                    } else {
                        for i in 0..<b {
                            let q = qp.baseAddress! + i * a
                            for j in 0..<t {
                                let o = (i * t + j) * a
                                let k = kp.baseAddress! + o, row = d + o
                                for c in 0..<a { row[c] = k[c] + q[c] }
                            }
                        }
                    }
                }
            }
            VectorMath.tanh(d, d, count: n)
            done = n
        }
        // e [B·T, 1] = th [B·T, A] · wᵀ [A, 1]
        let scores = [Float](unsafeUninitializedCapacity: rows) { dst, done in
            th.withUnsafeBufferPointer { tp in
                weight.data.withUnsafeBufferPointer { wp in
                    BLAS.sgemm(transA: false, transB: true, m: rows, n: 1, k: a, a: tp.baseAddress!, lda: a,
                               b: wp.baseAddress!, ldb: a, beta: 0, c: dst.baseAddress!, ldc: 1)
                }
            }
            done = rows
        }
        let parents = [keys, query, weight] + (location.map { [$0.features, $0.proj] } ?? [])
        return make("additiveAttentionScores", shape: [b, t], data: scores, parents: parents) { g in
            additiveAttentionBackward(g: g, th: th, keys: keys, query: query, location: location, weight: weight,
                                      b: b, t: t, a: a, nf: nf)
        }
    }

    /// Backward of `additiveAttentionScores`: g [B, T] → d = (g ⊗ w)·(1 − th²) [B, T, A], then keys += d,
    /// query += Σ_t d, w += gᵀ·th, U += Σ_b d_bᵀ f_bᵀ, f_b += U ᵀ d_bᵀ.
    private static func additiveAttentionBackward(g: [Float], th: [Float], keys: Tensor, query: Tensor,
                                                  location: (features: Tensor, proj: Tensor)?, weight: Tensor,
                                                  b: Int, t: Int, a: Int, nf: Int) {
        let rows = b * t, n = rows * a
        if weight.requiresGrad {
            weight.accumulateGrad { dw in   // dw [1, A] += gᵀ [1, B·T] · th [B·T, A]
                g.withUnsafeBufferPointer { gp in
                    th.withUnsafeBufferPointer { tp in
                        BLAS.sgemm(transA: true, transB: false, m: 1, n: a, k: rows, a: gp.baseAddress!, lda: 1,
                                   b: tp.baseAddress!, ldb: a, beta: 1, c: dw.baseAddress!, ldc: a)
                    }
                }
            }
        }
        let needD = keys.requiresGrad || query.requiresGrad
            || (location.map { $0.features.requiresGrad || $0.proj.requiresGrad } ?? false)
        guard needD else { return }
        let d = [Float](unsafeUninitializedCapacity: n) { dst, done in
            g.withUnsafeBufferPointer { gp in
                th.withUnsafeBufferPointer { tp in
                    weight.data.withUnsafeBufferPointer { wp in
                        for r in 0..<rows {
                            let gr = gp[r], o = r * a
                            for c in 0..<a {
                                let y = tp[o + c]
                                dst[o + c] = (gr * wp[c]) * (1 - y * y)
                            }
                        }
                    }
                }
            }
            done = n
        }
        if query.requiresGrad {
            query.accumulateGrad { dq in
                d.withUnsafeBufferPointer { dp in
                    for i in 0..<b {
                        let q = dq.baseAddress! + i * a
                        for j in 0..<t {
                            let row = dp.baseAddress! + (i * t + j) * a
                            for c in 0..<a { q[c] += row[c] }
                        }
                    }
                }
            }
        }
        if let loc = location {
            let (f, u) = (loc.features, loc.proj)
            d.withUnsafeBufferPointer { dp in
                if u.requiresGrad {
                    u.accumulateGrad { du in
                        f.data.withUnsafeBufferPointer { fp in
                            for i in 0..<b {   // dU [A, F] += d_bᵀ [A, T] · f_bᵀ [T, F]
                                BLAS.sgemm(transA: true, transB: true, m: a, n: nf, k: t, a: dp.baseAddress! + i * t * a, lda: a,
                                           b: fp.baseAddress! + i * nf * t, ldb: t, beta: 1, c: du.baseAddress!, ldc: nf)
                            }
                        }
                    }
                }
                if f.requiresGrad {
                    f.accumulateGrad { df in
                        u.data.withUnsafeBufferPointer { up in
                            for i in 0..<b {   // df_b [F, T] += Uᵀ [F, A] · d_bᵀ [A, T]
                                BLAS.sgemm(transA: true, transB: true, m: nf, n: t, k: a, a: up.baseAddress!, lda: nf,
                                           b: dp.baseAddress! + i * t * a, ldb: a, beta: 1, c: df.baseAddress! + i * nf * t, ldc: t)
                            }
                        }
                    }
                }
            }
        }
        if keys.requiresGrad { keys.accumulateGrad(d) }
    }
}
