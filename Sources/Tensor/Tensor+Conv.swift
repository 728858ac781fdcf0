// Tensor+Conv: 2-D and 1-D convolution (cross-correlation, as in PyTorch) by im2col + one GEMM
// per batch item. Backward recomputes the columns instead of keeping them (memory over time).
import Foundation

/// Geometry of one conv2d call: input [C, H, W] per item, kernel KH×KW, stride, padding.
struct ConvGeometry {
    let c, h, w, kh, kw, sh, sw, ph, pw: Int
    var ho: Int { (h + 2 * ph - kh) / sh + 1 }
    var wo: Int { (w + 2 * pw - kw) / sw + 1 }
    var rows: Int { c * kh * kw }
    var cols: Int { ho * wo }

    /// col[(c·KH + i)·KW + j, oh·Wo + ow] = x[c, oh·sh − ph + i, ow·sw − pw + j] (0 outside).
    func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>) {
        let (ho, wo) = (self.ho, self.wo)
        for ch in 0..<c { for i in 0..<kh { for j in 0..<kw {
            let row = col + ((ch * kh + i) * kw + j) * ho * wo
            for oh in 0..<ho {
                let y = oh * sh - ph + i
                let dst = row + oh * wo
                if y < 0 || y >= h { for ow in 0..<wo { dst[ow] = 0 }; continue }
                let src = x + (ch * h + y) * w
                for ow in 0..<wo {
                    let xx = ow * sw - pw + j
                    dst[ow] = xx >= 0 && xx < w ? src[xx] : 0
                }
            }
        } } }
    }

    /// The adjoint of im2col: adds every column entry back into the input position it came from.
    func col2im(_ col: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        let (ho, wo) = (self.ho, self.wo)
        for ch in 0..<c { for i in 0..<kh { for j in 0..<kw {
            let row = col + ((ch * kh + i) * kw + j) * ho * wo
            for oh in 0..<ho {
                let y = oh * sh - ph + i
                if y < 0 || y >= h { continue }
                let dst = dx + (ch * h + y) * w, src = row + oh * wo
                for ow in 0..<wo {
                    let xx = ow * sw - pw + j
                    if xx >= 0 && xx < w { dst[xx] += src[ow] }
                }
            }
        } } }
    }
}

extension Tensor {
    /// 2-D convolution. x: [B, C, H, W], weight: [O, C, KH, KW], bias: [O] or nil → [B, O, Ho, Wo],
    /// Ho = (H + 2·padding.0 − KH)/stride.0 + 1 (likewise Wo).
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil,
                              stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0)) -> Tensor {
        precondition(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[1],
                     "conv2d: input \(x.shape) and weight \(weight.shape) must be [B, C, H, W] and [O, C, KH, KW]")
        let (b, o) = (x.shape[0], weight.shape[0])
        let geo = ConvGeometry(c: x.shape[1], h: x.shape[2], w: x.shape[3], kh: weight.shape[2], kw: weight.shape[3],
                               sh: stride.0, sw: stride.1, ph: padding.0, pw: padding.1)
        precondition(geo.ho > 0 && geo.wo > 0, "conv2d: kernel \(weight.shape) larger than padded input \(x.shape)")
        if let bias { precondition(bias.shape == [o], "conv2d: bias \(bias.shape) must be [\(o)]") }
        let inSize = geo.c * geo.h * geo.w, outSize = o * geo.cols
        var out = [Float](repeating: 0, count: b * outSize)
        var col = [Float](repeating: 0, count: geo.rows * geo.cols)
        x.data.withUnsafeBufferPointer { xp in weight.data.withUnsafeBufferPointer { wp in
            out.withUnsafeMutableBufferPointer { op in col.withUnsafeMutableBufferPointer { cp in
                for n in 0..<b {
                    geo.im2col(xp.baseAddress! + n * inSize, cp.baseAddress!)
                    let dst = op.baseAddress! + n * outSize
                    if let bias { for oc in 0..<o { for i in 0..<geo.cols { dst[oc * geo.cols + i] = bias.data[oc] } } }
                    BLAS.sgemm(transA: false, transB: false, m: o, n: geo.cols, k: geo.rows, a: wp.baseAddress!, lda: geo.rows,
                               b: cp.baseAddress!, ldb: geo.cols, beta: bias == nil ? 0 : 1, c: dst, ldc: geo.cols)
                }
            } }
        } }
        let parents = [x, weight] + (bias.map { [$0] } ?? [])
        let (xd, wd) = (x.data, weight.data)
        return make("conv2d", shape: [b, o, geo.ho, geo.wo], data: out, parents: parents) { g in
            var col = [Float](repeating: 0, count: geo.rows * geo.cols)
            var dcol = [Float](repeating: 0, count: x.requiresGrad ? geo.rows * geo.cols : 0)
            if x.requiresGrad && x.grad == nil { x.grad = [Float](repeating: 0, count: xd.count) }
            if weight.requiresGrad && weight.grad == nil { weight.grad = [Float](repeating: 0, count: wd.count) }
            for n in 0..<b {
                g.withUnsafeBufferPointer { gp in
                    let dOut = gp.baseAddress! + n * outSize   // [O, Ho·Wo]
                    if weight.requiresGrad {                    // dW[O, CKK] += dOut · colᵀ
                        xd.withUnsafeBufferPointer { xp in col.withUnsafeMutableBufferPointer { cp in
                            geo.im2col(xp.baseAddress! + n * inSize, cp.baseAddress!)
                            weight.grad!.withUnsafeMutableBufferPointer { dw in
                                BLAS.sgemm(transA: false, transB: true, m: o, n: geo.rows, k: geo.cols, a: dOut, lda: geo.cols,
                                           b: cp.baseAddress!, ldb: geo.cols, beta: 1, c: dw.baseAddress!, ldc: geo.rows)
                            }
                        } }
                    }
                    if x.requiresGrad {                         // dcol[CKK, Ho·Wo] = Wᵀ · dOut; dx += col2im(dcol)
                        wd.withUnsafeBufferPointer { wp in dcol.withUnsafeMutableBufferPointer { dc in
                            BLAS.sgemm(transA: true, transB: false, m: geo.rows, n: geo.cols, k: o, a: wp.baseAddress!, lda: geo.rows,
                                       b: dOut, ldb: geo.cols, beta: 0, c: dc.baseAddress!, ldc: geo.cols)
                            x.grad!.withUnsafeMutableBufferPointer { dx in geo.col2im(dc.baseAddress!, dx.baseAddress! + n * inSize) }
                        } }
                    }
                }
            }
            if let bias, bias.requiresGrad {
                bias.accumulateGrad { db in
                    for n in 0..<b { for oc in 0..<o { for i in 0..<geo.cols { db[oc] += g[n * outSize + oc * geo.cols + i] } } }
                }
            }
        }
    }

    /// 1-D convolution. x: [B, C, T], weight: [O, C, K], bias: [O] or nil → [B, O, (T + 2·padding − K)/stride + 1].
    public static func conv1d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) -> Tensor {
        precondition(x.rank == 3 && weight.rank == 3, "conv1d: input \(x.shape) and weight \(weight.shape) must be [B, C, T] and [O, C, K]")
        let y = conv2d(x.reshaped([x.shape[0], x.shape[1], 1, x.shape[2]]),
                       weight: weight.reshaped([weight.shape[0], weight.shape[1], 1, weight.shape[2]]),
                       bias: bias, stride: (1, stride), padding: (0, padding))
        return y.reshaped([y.shape[0], y.shape[1], y.shape[3]])
    }
}
