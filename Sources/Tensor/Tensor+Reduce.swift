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

extension Tensor {
    /// Index of the largest value in each row of the last axis (first one on ties). Not on the tape.
    public func argmaxLastAxis() -> [Int] {
        topK(1).indices
    }

    /// The k largest values of each row of the last axis, largest first, with their indices
    /// (rows × k, flattened). Not on the tape: for greedy and beam search.
    public func topK(_ k: Int) -> (values: [Float], indices: [Int]) {
        precondition(rank >= 1, "topK: needs rank ≥ 1, got shape \(shape)")
        let n = shape[rank - 1], rows = n == 0 ? 0 : count / n
        precondition(k >= 1 && k <= n, "topK: k = \(k) must be in 1...\(n) for shape \(shape)")
        var values: [Float] = [], indices: [Int] = []
        values.reserveCapacity(rows * k); indices.reserveCapacity(rows * k)
        for r in 0..<rows {
            let row = data[(r * n)..<((r + 1) * n)]
            let best = row.indices.sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }.prefix(k)
            for i in best { values.append(data[i]); indices.append(i - r * n) }
        }
        return (values, indices)
    }
}
