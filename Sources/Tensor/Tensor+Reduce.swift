// Tensor+Reduce: sum and mean, over everything or along one axis.
import Foundation

extension Tensor {
    /// Σ of all elements → scalar.
    public func sum() -> Tensor {
        var s: Double = 0
        for v in data { s += Double(v) }
        let x = self
        return Tensor.make("sum", shape: [], data: [Float(s)], parents: [x]) { g in
            let gv = g[0]
            x.accumulateGrad { dst in for i in 0..<dst.count { dst[i] += gv } }
        }
    }

    /// Mean of all elements → scalar.
    public func mean() -> Tensor { sum().scaled(1 / Float(max(count, 1))) }

    /// Σ along `axis`: that dim disappears (or becomes 1 with keepDims).
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor {
        let ax = normalizedAxis(axis, op: "sum")
        let (outer, dim, inner) = split3(ax)
        var out = [Float](repeating: 0, count: outer * inner)
        data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for o in 0..<outer {
                    for d in 0..<dim {
                        let s = (o * dim + d) * inner
                        for i in 0..<inner { dst[o * inner + i] += src[s + i] }
                    }
                }
            }
        }
        var outShape = shape
        if keepDims { outShape[ax] = 1 } else { outShape.remove(at: ax) }
        let x = self
        return Tensor.make("sum(axis)", shape: outShape, data: out, parents: [x]) { g in
            x.accumulateGrad { dst in
                for o in 0..<outer {
                    for d in 0..<dim {
                        let s = (o * dim + d) * inner
                        for i in 0..<inner { dst[s + i] += g[o * inner + i] }
                    }
                }
            }
        }
    }

    /// Mean along `axis`.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor {
        sum(axis: axis, keepDims: keepDims).scaled(1 / Float(max(dim(axis), 1)))
    }
}
