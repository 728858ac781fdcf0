// Tensor+Softmax: softmax and log-softmax over the last axis (max-shifted, vectorized exp).
// The fused softmax + cross-entropy lives in Tensor+Loss.swift.
import Foundation

extension Tensor {
    /// Row-wise log-softmax of `x` viewed as [rows, n] (n = last dim), written into `out`.
    public static func logSoftmaxRows(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
        for r in 0..<rows {
            let xr = x + r * n, yr = out + r * n
            var m = -Float.infinity
            for j in 0..<n { m = max(m, xr[j]) }
            if m == -.infinity { m = 0 }   // an all -inf row stays -inf (then NaN later), as in PyTorch
            for j in 0..<n { yr[j] = xr[j] - m }
            VectorMath.exp(yr, yr, count: n)   // out holds e^(x−m) for now
            var s: Float = 0
            for j in 0..<n { s += yr[j] }
            let lse = m + Foundation.log(s)
            for j in 0..<n { yr[j] = xr[j] - lse }
        }
    }

    /// Log-softmax values over the last axis, with the [rows, n] view they were computed in.
    func logSoftmaxValues(op: String) -> (values: [Float], rows: Int, n: Int) {
        precondition(rank >= 1, "\(op): needs rank ≥ 1, got shape \(shape)")
        let n = shape[rank - 1], rows = n == 0 ? 0 : count / n
        var y = [Float](repeating: 0, count: count)
        data.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { Tensor.logSoftmaxRows(x.baseAddress!, $0.baseAddress!, rows: rows, n: n) }
        }
        return (y, rows, n)
    }

    /// log softmax over the last axis. Backward: dx = g − softmax · Σg.
    public func logSoftmax() -> Tensor {
        let (y, rows, n) = logSoftmaxValues(op: "logSoftmax")
        let x = self, yd = y
        return Tensor.make("logSoftmax", shape: shape, data: y, parents: [x]) { g in
            let p = VectorMath.exp(yd)
            x.accumulateGrad { dst in
                for r in 0..<rows {
                    var s: Float = 0
                    for j in 0..<n { s += g[r * n + j] }
                    for j in 0..<n { dst[r * n + j] += g[r * n + j] - p[r * n + j] * s }
                }
            }
        }
    }

    /// softmax over the last axis. Backward: dx = y ⊙ (g − Σ g⊙y).
    public func softmax() -> Tensor {
        let (logY, rows, n) = logSoftmaxValues(op: "softmax")
        let y = VectorMath.exp(logY)
        let x = self, yd = y
        return Tensor.make("softmax", shape: shape, data: y, parents: [x]) { g in
            x.accumulateGrad { dst in
                for r in 0..<rows {
                    var s: Float = 0
                    for j in 0..<n { s += g[r * n + j] * yd[r * n + j] }
                    for j in 0..<n { dst[r * n + j] += yd[r * n + j] * (g[r * n + j] - s) }
                }
            }
        }
    }
}
