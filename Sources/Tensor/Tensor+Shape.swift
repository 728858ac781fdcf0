// Tensor+Shape: reshape, permute/transpose, slice, concat, split and index-select (gather along
// an axis). Every result is a fresh contiguous copy except reshape, which shares the values.
import Foundation

extension Tensor {
    /// Same values, new shape; one dim may be -1 (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var s = newShape
        if let i = s.firstIndex(of: -1) {
            let known = s.enumerated().filter { $0.offset != i }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0, "reshape: cannot reshape \(shape) to \(newShape)")
            s[i] = count / known
        }
        precondition(Tensor.count(of: s) == count, "reshape: cannot reshape \(shape) (\(count) values) to \(newShape)")
        let x = self
        return Tensor.make("reshape", shape: s, data: data, parents: [x]) { g in x.accumulateGrad(g) }
    }

    /// Dims reordered: result dim i is input dim perm[i].
    public func permuted(_ perm: [Int]) -> Tensor {
        precondition(perm.sorted() == Array(0..<rank), "permute: \(perm) is not a permutation of the dims of \(shape)")
        if perm == Array(0..<rank) { return reshaped(shape) }
        let outShape = perm.map { shape[$0] }
        let out = Tensor.permute(data, shape: shape, perm: perm)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, p) in perm.enumerated() { inverse[p] = i }
        let x = self
        return Tensor.make("permute", shape: outShape, data: out, parents: [x]) { g in
            x.accumulateGrad(Tensor.permute(g, shape: outShape, perm: inverse))
        }
    }

    /// Swaps two dims (negative axes count from the end).
    public func transpose(_ a: Int, _ b: Int) -> Tensor {
        var perm = Array(0..<rank)
        perm.swapAt(normalizedAxis(a, op: "transpose"), normalizedAxis(b, op: "transpose"))
        return permuted(perm)
    }

    /// Strided copy: out[i0, i1, ...] = x[index with dims reordered by perm].
    static func permute(_ x: [Float], shape: [Int], perm: [Int]) -> [Float] {
        let r = shape.count
        var inStrides = [Int](repeating: 1, count: r)
        for i in stride(from: r - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
        let outShape = perm.map { shape[$0] }, strides = perm.map { inStrides[$0] }
        let n = x.count
        let inner = outShape[r - 1], innerStride = strides[r - 1]
        return [Float](unsafeUninitializedCapacity: n) { dst, done in
            x.withUnsafeBufferPointer { src in
                let rows = Broadcast.offsets(shape: Array(outShape.dropLast()), strides: Array(strides.dropLast()))
                for (row, off) in rows.enumerated() {
                    let o = row * inner
                    for j in 0..<inner { dst[o + j] = src[off + j * innerStride] }
                }
            }
            done = n
        }
    }

    /// Sizes of the dims before, at and after `axis`: the tensor seen as [outer, dim, inner].
    func split3(_ axis: Int) -> (outer: Int, dim: Int, inner: Int) {
        (Tensor.count(of: Array(shape[..<axis])), shape[axis], Tensor.count(of: Array(shape[(axis + 1)...])))
    }

    /// The elements with index in `range` along `axis`.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let ax = normalizedAxis(axis, op: "slice")
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[ax],
                     "slice: range \(range) out of bounds for axis \(ax) of shape \(shape)")
        return indexSelect(Array(range), axis: ax)
    }

    /// Tensors joined along `axis`; all other dims must agree.
    public static func concat(_ parts: [Tensor], axis: Int) -> Tensor {
        precondition(!parts.isEmpty, "concat: no tensors")
        let first = parts[0]
        let ax = first.normalizedAxis(axis, op: "concat")
        for p in parts {
            precondition(p.rank == first.rank && p.shape.enumerated().allSatisfy { $0.offset == ax || $0.element == first.shape[$0.offset] },
                         "concat: shape \(p.shape) does not match \(first.shape) outside axis \(ax)")
        }
        let (outer, _, inner) = first.split3(ax)
        let dims = parts.map { $0.shape[ax] }, total = dims.reduce(0, +)
        var outShape = first.shape
        outShape[ax] = total
        var out = [Float](repeating: 0, count: outer * total * inner)
        out.withUnsafeMutableBufferPointer { dst in
            var offset = 0
            for (p, d) in zip(parts, dims) {
                p.data.withUnsafeBufferPointer { src in
                    for o in 0..<outer {
                        (dst.baseAddress! + (o * total + offset) * inner).update(from: src.baseAddress! + o * d * inner, count: d * inner)
                    }
                }
                offset += d
            }
        }
        return make("concat", shape: outShape, data: out, parents: parts) { g in
            var offset = 0
            for (p, d) in zip(parts, dims) {
                if p.requiresGrad {
                    p.accumulateGrad { dst in
                        for o in 0..<outer {
                            let gb = (o * total + offset) * inner
                            for j in 0..<(d * inner) { dst[o * d * inner + j] += g[gb + j] }
                        }
                    }
                }
                offset += d
            }
        }
    }

    /// Pieces of the given sizes along `axis` (sizes must add up to the dim).
    public func split(_ sizes: [Int], axis: Int) -> [Tensor] {
        let ax = normalizedAxis(axis, op: "split")
        precondition(sizes.reduce(0, +) == shape[ax], "split: sizes \(sizes) do not add up to dim \(ax) of \(shape)")
        var lo = 0
        return sizes.map { s in defer { lo += s }; return slice(axis: ax, lo..<(lo + s)) }
    }

    /// Entries `indices` along `axis` (repeats allowed): shape[axis] becomes indices.count.
    /// Used for beam reordering; `embedding` is the axis-0 case.
    public func indexSelect(_ indices: [Int], axis: Int) -> Tensor {
        let ax = normalizedAxis(axis, op: "indexSelect")
        let (outer, dim, inner) = split3(ax)
        for i in indices { precondition(i >= 0 && i < dim, "indexSelect: index \(i) out of range 0..<\(dim) for shape \(shape)") }
        let k = indices.count
        var outShape = shape
        outShape[ax] = k
        var out = [Float](repeating: 0, count: outer * k * inner)
        // A run of consecutive indices (a slice) copies one block per outer index.
        let first = indices.first ?? 0
        let run = indices.enumerated().allSatisfy { $0.element == first + $0.offset }
        data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for o in 0..<outer where run {
                    (dst.baseAddress! + o * k * inner).update(from: src.baseAddress! + (o * dim + first) * inner, count: k * inner)
                }
                for o in 0..<outer where !run {
                    for (j, i) in indices.enumerated() {
                        (dst.baseAddress! + (o * k + j) * inner).update(from: src.baseAddress! + (o * dim + i) * inner, count: inner)
                    }
                }
            }
        }
        let x = self
        return Tensor.make("indexSelect", shape: outShape, data: out, parents: [x]) { g in
            x.accumulateGrad { dst in
                for o in 0..<outer where run {
                    let d = (o * dim + first) * inner, s = o * k * inner
                    for e in 0..<(k * inner) { dst[d + e] += g[s + e] }
                }
                for o in 0..<outer where !run {
                    for (j, i) in indices.enumerated() {
                        let s = (o * k + j) * inner, d = (o * dim + i) * inner
                        for e in 0..<inner { dst[d + e] += g[s + e] }
                    }
                }
            }
        }
    }
}
