// Tensor+Activations: elementwise nonlinearities (sigmoid, tanh, relu, gelu, exp, log, sqrt-free).
// sigmoid/tanh/exp use the vectorized kernels in VectorMath; gelu is the exact erf form (PyTorch's default).
import Foundation

extension Tensor {
    /// y = f(x) elementwise; `dx(g, x, y)` returns the input gradient for output gradient g.
    func unary(_ op: String, _ y: [Float], dx: @escaping (_ g: UnsafeBufferPointer<Float>, _ x: UnsafeBufferPointer<Float>,
                                                         _ y: UnsafeBufferPointer<Float>, _ out: UnsafeMutableBufferPointer<Float>) -> Void) -> Tensor {
        let x = self
        let xd = data
        return Tensor.make(op, shape: shape, data: y, parents: [x]) { g in
            x.accumulateGrad { dst in
                let n = dst.count
                let local = [Float](unsafeUninitializedCapacity: n) { buf, done in
                    g.withUnsafeBufferPointer { gp in
                        xd.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in dx(gp, xp, yp, buf) } }
                    }
                    done = n
                }
                for i in 0..<n { dst[i] += local[i] }
            }
        }
    }

    public func sigmoid() -> Tensor {
        unary("sigmoid", VectorMath.sigmoid(data)) { g, _, y, out in
            for i in 0..<out.count { out[i] = g[i] * y[i] * (1 - y[i]) }
        }
    }

    public func tanh() -> Tensor {
        unary("tanh", VectorMath.tanh(data)) { g, _, y, out in
            for i in 0..<out.count { out[i] = g[i] * (1 - y[i] * y[i]) }
        }
    }

    public func relu() -> Tensor {
        unary("relu", data.map { $0 > 0 ? $0 : 0 }) { g, x, _, out in
            for i in 0..<out.count { out[i] = x[i] > 0 ? g[i] : 0 }
        }
    }

    /// x · Φ(x) with Φ the standard normal CDF (exact erf form).
    public func gelu() -> Tensor {
        let y = data.map { 0.5 * $0 * (1 + Foundation.erf($0 * 0.70710678118654752)) }
        return unary("gelu", y) { g, x, _, out in
            for i in 0..<out.count {
                let v = x[i]
                let cdf = 0.5 * (1 + Foundation.erf(v * 0.70710678118654752))
                let pdf = 0.39894228040143268 * Foundation.exp(-0.5 * v * v)
                out[i] = g[i] * (cdf + v * pdf)
            }
        }
    }

    public func exp() -> Tensor {
        unary("exp", VectorMath.exp(data)) { g, _, y, out in
            for i in 0..<out.count { out[i] = g[i] * y[i] }
        }
    }

    /// Natural log (inputs must be positive; no clamping).
    public func log() -> Tensor {
        unary("log", data.map { Foundation.log($0) }) { g, x, _, out in
            for i in 0..<out.count { out[i] = g[i] / x[i] }
        }
    }

    public func sqrt() -> Tensor {
        unary("sqrt", data.map { $0.squareRoot() }) { g, _, y, out in
            for i in 0..<out.count { out[i] = g[i] * 0.5 / y[i] }
        }
    }

    public func square() -> Tensor {
        unary("square", data.map { $0 * $0 }) { g, x, _, out in
            for i in 0..<out.count { out[i] = 2 * g[i] * x[i] }
        }
    }
}
