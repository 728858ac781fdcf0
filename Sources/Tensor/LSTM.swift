// LSTM: a fused LSTM layer op (one direction) with its own backward through time, and the
// single-step cell built on it. The input projection for the whole sequence is one GEMM; each step
// is one GEMM for all four gates plus one fused elementwise pass. Not a layer with parameters:
// NN's LSTM/BiLSTM own the weights and call this.
import Foundation

/// What `Tensor.lstm` returns. output: [B, T, H]; h, c: [B, H] (state after each sequence's last
/// valid frame). All three are on the tape.
public struct LSTMResult {
    public let output: Tensor
    public let h: Tensor
    public let c: Tensor
}

extension Tensor {
    /// One LSTM direction over a batch, PyTorch gate order (i, f, g, o) and weight layout:
    ///
    ///     gates = x_t · W_ihᵀ + h_{t−1} · W_hhᵀ + bias          [B, 4H]
    ///     c_t = σ(f) ⊙ c_{t−1} + σ(i) ⊙ tanh(g),  h_t = σ(o) ⊙ tanh(c_t)
    ///
    /// - x: [B, T, F]; wIH: [4H, F]; wHH: [4H, H]; bias: [4H] (PyTorch's b_ih + b_hh);
    ///   h0, c0: [B, H] or nil (zeros), differentiable when given.
    /// - lengths: frames per sequence (≤ T); past its length a sequence's state is carried unchanged
    ///   and its output is 0. `reverse` runs t = T−1 … 0, so a padded sequence starts at its own end.
    public static func lstm(_ x: Tensor, wIH: Tensor, wHH: Tensor, bias: Tensor, h0: Tensor? = nil, c0: Tensor? = nil,
                            lengths: [Int]? = nil, reverse: Bool = false) -> LSTMResult {
        precondition(x.rank == 3, "lstm: input must be [B, T, F], got \(x.shape)")
        let (nb, nt, nf) = (x.shape[0], x.shape[1], x.shape[2])
        let nh = wHH.shape.last ?? 0, g4 = 4 * nh
        precondition(wIH.shape == [g4, nf] && wHH.shape == [g4, nh] && bias.shape == [g4],
                     "lstm: weights W_ih \(wIH.shape), W_hh \(wHH.shape), bias \(bias.shape) do not fit input \(x.shape) (need [4H, F], [4H, H], [4H])")
        for s in [h0, c0].compactMap({ $0 }) { precondition(s.shape == [nb, nh], "lstm: initial state \(s.shape) must be [\(nb), \(nh)]") }
        let lens = lengths ?? [Int](repeating: nt, count: nb)
        precondition(lens.count == nb && lens.allSatisfy { $0 >= 0 && $0 <= nt }, "lstm: lengths \(lens) must be \(nb) values in 0...\(nt)")
        let order = reverse ? Array((0..<nt).reversed()) : Array(0..<nt)
        let n = nb * nt

        // Saved for backward, all batch-major [B, T, ·]: activated gates, state before each step,
        // tanh(c) after it. Row (b, t) is at (b·T + t).
        let gates = FloatBuffer(zeros: n * g4)
        let hPrev = FloatBuffer(zeros: n * nh), cPrev = FloatBuffer(zeros: n * nh), tanhC = FloatBuffer(zeros: n * nh)
        let h = FloatBuffer(h0?.data ?? [Float](repeating: 0, count: nb * nh))
        let c = FloatBuffer(c0?.data ?? [Float](repeating: 0, count: nb * nh))
        var out = [Float](repeating: 0, count: n * nh + 2 * nb * nh)

        // gates[B·T, 4H] = X · W_ihᵀ + bias, one GEMM for the whole sequence.
        bias.data.withUnsafeBufferPointer { bp in
            for r in 0..<n { (gates.p + r * g4).update(from: bp.baseAddress!, count: g4) }
        }
        x.data.withUnsafeBufferPointer { xp in wIH.data.withUnsafeBufferPointer { wp in
            BLAS.sgemm(transA: false, transB: true, m: n, n: g4, k: nf, a: xp.baseAddress!, lda: nf,
                       b: wp.baseAddress!, ldb: nf, beta: 1, c: gates.p, ldc: g4)
        } }
        wHH.data.withUnsafeBufferPointer { whh in out.withUnsafeMutableBufferPointer { op in
            let outp = op.baseAddress!
            for t in order {
                // gates[:, t] += h · W_hhᵀ  (rows b·T + t: leading dimension T·4H)
                BLAS.sgemm(transA: false, transB: true, m: nb, n: g4, k: nh, a: h.p, lda: nh,
                           b: whh.baseAddress!, ldb: nh, beta: 1, c: gates.p + t * g4, ldc: nt * g4)
                for b in 0..<nb {
                    let r = b * nt + t, st = r * nh, hb = h.p + b * nh, cb = c.p + b * nh
                    (hPrev.p + st).update(from: hb, count: nh)
                    (cPrev.p + st).update(from: cb, count: nh)
                    guard t < lens[b] else { continue }
                    lstmPointwise(gates: gates.p + r * g4, c: cb, h: hb, tanhC: tanhC.p + st, hidden: nh)
                    (outp + st).update(from: hb, count: nh)
                }
            }
            (outp + n * nh).update(from: h.p, count: nb * nh)
            (outp + n * nh + nb * nh).update(from: c.p, count: nb * nh)
        } }

        var parents = [x, wIH, wHH, bias]
        if let h0 { parents.append(h0) }
        if let c0 { parents.append(c0) }
        let (xd, wihd, whhd) = (x.data, wIH.data, wHH.data)
        let packed = make("lstm", shape: [out.count], data: out, parents: parents) { g in
            let dG = FloatBuffer(zeros: n * g4)
            let dh = FloatBuffer(Array(g[(n * nh)..<(n * nh + nb * nh)]))
            let dc = FloatBuffer(Array(g[(n * nh + nb * nh)...]))
            let tmp = FloatBuffer(zeros: nb * nh)
            g.withUnsafeBufferPointer { gp in whhd.withUnsafeBufferPointer { whh in
                let dOut = gp.baseAddress!
                for t in order.reversed() {
                    for b in 0..<nb where t < lens[b] {
                        let r = b * nt + t, st = r * nh
                        let gi = gates.p + r * g4, gf = gi + nh, gg = gi + 2 * nh, go = gi + 3 * nh
                        let di = dG.p + r * g4, df = di + nh, dgg = di + 2 * nh, dgo = di + 3 * nh
                        let dhb = dh.p + b * nh, dcb = dc.p + b * nh, tc = tanhC.p + st, cp = cPrev.p + st, dO = dOut + st
                        for j in 0..<nh {
                            let dhj = dhb[j] + dO[j]
                            let i = gi[j], f = gf[j], gv = gg[j], o = go[j], tcj = tc[j]
                            let dcj = dcb[j] + dhj * o * (1 - tcj * tcj)
                            di[j] = dcj * gv * i * (1 - i)
                            df[j] = dcj * cp[j] * f * (1 - f)
                            dgg[j] = dcj * i * (1 - gv * gv)
                            dgo[j] = dhj * tcj * o * (1 - o)
                            dcb[j] = dcj * f
                        }
                    }
                    // dh_{t−1} = dG_t · W_hh for sequences active at t; the others carry dh unchanged.
                    BLAS.sgemm(transA: false, transB: false, m: nb, n: nh, k: g4, a: dG.p + t * g4, lda: nt * g4,
                               b: whh.baseAddress!, ldb: nh, beta: 0, c: tmp.p, ldc: nh)
                    for b in 0..<nb where t < lens[b] { (dh.p + b * nh).update(from: tmp.p + b * nh, count: nh) }
                }
            } }
            if wHH.requiresGrad {   // dW_hh[4H, H] += dGᵀ · Hprev
                wHH.accumulateGrad { dw in
                    BLAS.sgemm(transA: true, transB: false, m: g4, n: nh, k: n, a: dG.p, lda: g4, b: hPrev.p, ldb: nh,
                               beta: 1, c: dw.baseAddress!, ldc: nh)
                }
            }
            if wIH.requiresGrad {   // dW_ih[4H, F] += dGᵀ · X
                wIH.accumulateGrad { dw in xd.withUnsafeBufferPointer { xp in
                    BLAS.sgemm(transA: true, transB: false, m: g4, n: nf, k: n, a: dG.p, lda: g4, b: xp.baseAddress!, ldb: nf,
                               beta: 1, c: dw.baseAddress!, ldc: nf)
                } }
            }
            if x.requiresGrad {     // dX[B·T, F] += dG · W_ih
                x.accumulateGrad { dx in wihd.withUnsafeBufferPointer { wp in
                    BLAS.sgemm(transA: false, transB: false, m: n, n: nf, k: g4, a: dG.p, lda: g4, b: wp.baseAddress!, ldb: nf,
                               beta: 1, c: dx.baseAddress!, ldc: nf)
                } }
            }
            if bias.requiresGrad {
                bias.accumulateGrad { db in
                    for r in 0..<n { let row = dG.p + r * g4; for j in 0..<g4 { db[j] += row[j] } }
                }
            }
            if let h0, h0.requiresGrad { h0.accumulateGrad(dh.array) }
            if let c0, c0.requiresGrad { c0.accumulateGrad(dc.array) }
        }
        return LSTMResult(output: packed.slice(axis: 0, 0..<(n * nh)).reshaped([nb, nt, nh]),
                          h: packed.slice(axis: 0, (n * nh)..<(n * nh + nb * nh)).reshaped([nb, nh]),
                          c: packed.slice(axis: 0, (n * nh + nb * nh)..<out.count).reshaped([nb, nh]))
    }

    /// The pointwise half of an LSTM step, in place, for one sequence: `gates` [4H] (pre-activations i, f, g, o) become
    /// σ(i), σ(f), tanh(g), σ(o); c ← σ(f) ⊙ c + σ(i) ⊙ tanh(g); tanhC ← tanh(c); h ← σ(o) ⊙ tanhC. `Tensor.lstm` and the
    /// internal language model's batched step share it.
    @inline(__always)
    public static func lstmPointwise(gates gi: UnsafeMutablePointer<Float>, c cb: UnsafeMutablePointer<Float>,
                                     h hb: UnsafeMutablePointer<Float>, tanhC tc: UnsafeMutablePointer<Float>, hidden nh: Int) {
        let gf = gi + nh, gg = gi + 2 * nh, go = gi + 3 * nh
        VectorMath.sigmoid(gi, gi, count: 2 * nh)
        VectorMath.tanh(gg, gg, count: nh)
        VectorMath.sigmoid(go, go, count: nh)
        for j in 0..<nh { cb[j] = gf[j] * cb[j] + gi[j] * gg[j] }
        VectorMath.tanh(cb, tc, count: nh)
        for j in 0..<nh { hb[j] = go[j] * tc[j] }
    }

    /// One LSTM step (the decoder's cell): x [B, F], h, c [B, H] → new (h, c), all on the tape.
    public static func lstmCell(_ x: Tensor, h: Tensor, c: Tensor, wIH: Tensor, wHH: Tensor, bias: Tensor) -> (h: Tensor, c: Tensor) {
        precondition(x.rank == 2, "lstmCell: input must be [B, F], got \(x.shape)")
        let r = lstm(x.reshaped([x.shape[0], 1, x.shape[1]]), wIH: wIH, wHH: wHH, bias: bias, h0: h, c0: c)
        return (r.h, r.c)
    }
}
