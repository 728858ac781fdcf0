// Broadcast: NumPy-style shape broadcasting for the binary ops — the result shape, expanding an
// operand to it, and summing a gradient back down to an operand's shape. Fast paths for the
// same shape and for a trailing-dims operand (row vector, bias); a general strided path otherwise.
import Foundation

enum Broadcast {
    /// The broadcast shape of `a` and `b`, or a stop naming both shapes and the op.
    static func shape(_ a: [Int], _ b: [Int], op: String) -> [Int] {
        if a == b { return a }
        let r = max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let da = i < r - a.count ? 1 : a[i - (r - a.count)]
            let db = i < r - b.count ? 1 : b[i - (r - b.count)]
            precondition(da == db || da == 1 || db == 1,
                         "\(op): shapes \(a) and \(b) cannot be broadcast together")
            out[i] = da == 1 ? db : da
        }
        return out
    }

    /// Whether `shape` (padded with leading 1s) equals the trailing dims of `out`, so that the
    /// expanded operand is `shape`'s data repeated (a tile).
    static func isTile(_ shape: [Int], of out: [Int]) -> Bool {
        var s = shape[...]
        while let f = s.first, f == 1, s.count > 0 { s = s.dropFirst() }
        return s.count <= out.count && Array(out.suffix(s.count)) == Array(s)
    }

    /// For each element of `out`, the offset of the element of `shape` it reads.
    static func offsets(_ shape: [Int], to out: [Int]) -> [Int] {
        let r = out.count
        let padded = [Int](repeating: 1, count: r - shape.count) + shape
        var strides = [Int](repeating: 0, count: r)
        var s = 1
        for i in stride(from: r - 1, through: 0, by: -1) {
            strides[i] = padded[i] == 1 ? 0 : s
            s *= padded[i]
        }
        return offsets(shape: out, strides: strides)
    }

    /// The memory offset of every element of `shape` (row-major order) under `strides`
    /// (an odometer over the multi-index; a stride of 0 repeats an element).
    static func offsets(shape: [Int], strides: [Int]) -> [Int] {
        let r = shape.count, n = Tensor.count(of: shape)
        var result = [Int](repeating: 0, count: n)
        var index = [Int](repeating: 0, count: r)
        var off = 0
        for e in 0..<n {
            result[e] = off
            var d = r - 1
            while d >= 0 {
                index[d] += 1
                off += strides[d]
                if index[d] < shape[d] { break }
                off -= strides[d] * index[d]
                index[d] = 0
                d -= 1
            }
        }
        return result
    }

    /// `data` (of `shape`) expanded to `out`.
    static func expand(_ data: [Float], from shape: [Int], to out: [Int]) -> [Float] {
        let n = Tensor.count(of: out)
        if data.count == n { return data }
        if isTile(shape, of: out) {
            let m = data.count
            return [Float](unsafeUninitializedCapacity: n) { dst, done in
                data.withUnsafeBufferPointer { src in
                    var o = 0
                    while o < n {
                        for j in 0..<m { dst[o + j] = src[j] }
                        o += m
                    }
                }
                done = n
            }
        }
        let offs = offsets(shape, to: out)
        return offs.map { data[$0] }
    }

    /// `g` (of `out`) summed over the broadcast dims, down to `shape`.
    static func reduce(_ g: [Float], from out: [Int], to shape: [Int]) -> [Float] {
        let m = Tensor.count(of: shape)
        if g.count == m { return g }
        var r = [Float](repeating: 0, count: m)
        if isTile(shape, of: out) {
            r.withUnsafeMutableBufferPointer { dst in
                g.withUnsafeBufferPointer { src in
                    var o = 0
                    while o < src.count {
                        for j in 0..<m { dst[j] += src[o + j] }
                        o += m
                    }
                }
            }
            return r
        }
        let offs = offsets(shape, to: out)
        for (e, o) in offs.enumerated() { r[o] += g[e] }
        return r
    }
}
