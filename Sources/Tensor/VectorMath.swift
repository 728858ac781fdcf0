// VectorMath: exp, tanh and sigmoid over float buffers, written as branch-free scalar code in plain
// loops that LLVM auto-vectorizes (AVX-512 / AVX2), about 1e-7 relative error. Not libm: libm tanhf
// costs ~12 ns per element here. No SIMD-type helpers (.clamped, pointwiseMin, .rounded) — several
// of them compile to per-lane scalar code.
import Foundation

public enum VectorMath {
    // exp (Cephes expf): x = n·ln2 + r with |r| ≤ ln2/2, e^r by a degree-7 polynomial, 2^n by exponent bits.
    // Constants are local literals: a `static let` is a lazily initialized global whose accessor call
    // inside the loop stops vectorization (measured: 2.4 ns/element instead of ~0.5).
    /// e^x for one value, the same arithmetic as the vector loop (inlined into it).
    @inlinable @inline(__always)
    public static func exp(_ v: Float) -> Float {
        let expHi: Float = 88.3762626647949      // 2^127 still representable
        let expLo: Float = -87.3365447505531     // below: result flushed to 0
        let roundMagic: Float = 12582912         // 1.5·2^23: x + magic rounds x to an integer
        var x = v > expHi ? expHi : v
        x = x < expLo ? expLo : x
        let t = x * 1.44269504088896341 + roundMagic      // n + magic, n in low mantissa bits
        let n = t - roundMagic
        var r = x - n * 0.693359375
        r = r + n * 2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * r * r + r + 1
        // 2^n: (n + 127) << 23, with n read from t's low bits (t's pattern is 0x4B400000 + n).
        let scale = Float(bitPattern: (t.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
        let y = p * scale
        return v < expLo ? 0 : y
    }

    /// tanh for one value: Eigen's odd rational approximation (13/6), exact to a few ulp, saturating at ±1.
    @inlinable @inline(__always)
    public static func tanh(_ v: Float) -> Float {
        let clampValue: Float = 7.90531110763549805
        var x = v > clampValue ? clampValue : v
        x = x < -clampValue ? -clampValue : x
        let x2 = x * x
        var p: Float = -2.76076847742355e-16
        p = p * x2 + 2.00018790482477e-13
        p = p * x2 - 8.60467152213735e-11
        p = p * x2 + 5.12229709037114e-08
        p = p * x2 + 1.48572235717979e-05
        p = p * x2 + 6.37261928875436e-04
        p = p * x2 + 4.89352455891786e-03
        p = p * x
        var q: Float = 1.19825839466702e-06
        q = q * x2 + 1.18534705686654e-04
        q = q * x2 + 2.26843463243900e-03
        q = q * x2 + 4.89352518554385e-03
        let y = p / q
        let a = v < 0 ? -v : v
        return a < 0.0004 ? v : y
    }

    /// 1 / (1 + e^-x).
    @inlinable @inline(__always)
    public static func sigmoid(_ v: Float) -> Float {
        1 / (1 + exp(-v))
    }

    // Buffer versions: parallel over chunks for large n (see Threading), one plain loop per chunk.
    // In place (src == dst) gets its own one-pointer loop: with two pointers LLVM's runtime overlap
    // check sends exact aliasing down the scalar fallback (measured 10 ns/element instead of 1.3).

    public static func exp(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count n: Int) {
        let s = SendablePointer(UnsafeMutablePointer(mutating: src)), d = SendablePointer(dst)
        Threading.parallelFor(n, cost: 4) { r in
            let sp = s.base, dp = d.base
            if sp == dp { for i in r { dp[i] = exp(dp[i]) } } else { for i in r { dp[i] = exp(sp[i]) } }
        }
    }

    public static func tanh(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count n: Int) {
        let s = SendablePointer(UnsafeMutablePointer(mutating: src)), d = SendablePointer(dst)
        Threading.parallelFor(n, cost: 4) { r in
            let sp = s.base, dp = d.base
            if sp == dp { for i in r { dp[i] = tanh(dp[i]) } } else { for i in r { dp[i] = tanh(sp[i]) } }
        }
    }

    public static func sigmoid(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count n: Int) {
        let s = SendablePointer(UnsafeMutablePointer(mutating: src)), d = SendablePointer(dst)
        Threading.parallelFor(n, cost: 4) { r in
            let sp = s.base, dp = d.base
            if sp == dp { for i in r { dp[i] = sigmoid(dp[i]) } } else { for i in r { dp[i] = sigmoid(sp[i]) } }
        }
    }

    /// Array conveniences.
    public static func exp(_ x: [Float]) -> [Float] { map(x, exp(_:_:count:)) }
    public static func tanh(_ x: [Float]) -> [Float] { map(x, tanh(_:_:count:)) }
    public static func sigmoid(_ x: [Float]) -> [Float] { map(x, sigmoid(_:_:count:)) }

    static func map(_ x: [Float],
                    _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> [Float] {
        [Float](unsafeUninitializedCapacity: x.count) { out, n in
            x.withUnsafeBufferPointer { kernel($0.baseAddress!, out.baseAddress!, x.count) }
            n = x.count
        }
    }
}
