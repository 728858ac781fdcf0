// Tensor+Arithmetic: elementwise add, sub, mul, div with broadcasting, and scalar scale/shift/neg.
// Each op's backward sums the gradient back over broadcast dims (Broadcast.reduce).
import Foundation

extension Tensor {
    enum BinaryKind: String { case add, sub, mul, div }

    /// a ∘ b with broadcasting; out shape = broadcast(a.shape, b.shape).
    static func binary(_ kind: BinaryKind, _ a: Tensor, _ b: Tensor) -> Tensor {
        let outShape = Broadcast.shape(a.shape, b.shape, op: kind.rawValue)
        let n = count(of: outShape)
        let ae = Broadcast.expand(a.data, from: a.shape, to: outShape)
        let be = Broadcast.expand(b.data, from: b.shape, to: outShape)
        let out = [Float](unsafeUninitializedCapacity: n) { dst, done in
            ae.withUnsafeBufferPointer { x in
                be.withUnsafeBufferPointer { y in
                    switch kind {
                    case .add: for i in 0..<n { dst[i] = x[i] + y[i] }
                    case .sub: for i in 0..<n { dst[i] = x[i] - y[i] }
                    case .mul: for i in 0..<n { dst[i] = x[i] * y[i] }
                    case .div: for i in 0..<n { dst[i] = x[i] / y[i] }
                    }
                }
            }
            done = n
        }
        return make(kind.rawValue, shape: outShape, data: out, parents: [a, b]) { g in
            if a.requiresGrad {
                var ga: [Float]
                switch kind {
                case .add, .sub: ga = g
                case .mul: ga = zip(g, be).map { $0 * $1 }
                case .div: ga = zip(g, be).map { $0 / $1 }
                }
                a.accumulateGrad(Broadcast.reduce(ga, from: outShape, to: a.shape))
            }
            if b.requiresGrad {
                var gb: [Float]
                switch kind {
                case .add: gb = g
                case .sub: gb = g.map { -$0 }
                case .mul: gb = zip(g, ae).map { $0 * $1 }
                case .div: gb = (0..<n).map { -g[$0] * ae[$0] / (be[$0] * be[$0]) }
                }
                b.accumulateGrad(Broadcast.reduce(gb, from: outShape, to: b.shape))
            }
        }
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(.add, a, b) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(.sub, a, b) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(.mul, a, b) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(.div, a, b) }

    /// s · x + shift, elementwise.
    public func affine(scale s: Float, shift: Float = 0) -> Tensor {
        let x = self
        let out = data.map { $0 * s + shift }
        return Tensor.make("affine", shape: shape, data: out, parents: [x]) { g in
            x.accumulateGrad { dst in for i in 0..<dst.count { dst[i] += s * g[i] } }
        }
    }

    /// The gradient reversal layer (Ganin & Lempitsky 2015): the identity forward, −λ · g backward. What feeds an
    /// adversary through it learns to make the adversary's task harder (speaker-adversarial training).
    public func gradientReversed(_ lambda: Float) -> Tensor {
        let x = self
        return Tensor.make("gradientReversal", shape: shape, data: data, parents: [x]) { g in
            x.accumulateGrad { dst in for i in 0..<dst.count { dst[i] -= lambda * g[i] } }
        }
    }

    public func scaled(_ s: Float) -> Tensor { affine(scale: s) }
    public static func * (a: Tensor, s: Float) -> Tensor { a.affine(scale: s) }
    public static func * (s: Float, a: Tensor) -> Tensor { a.affine(scale: s) }
    public static func + (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: s) }
    public static func - (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: -s) }
    public static prefix func - (a: Tensor) -> Tensor { a.affine(scale: -1) }
}
