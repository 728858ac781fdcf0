// GradientCheck: central-difference gradients of any function of a flat Float vector, and a
// comparison with an analytic gradient. Generic over closures, so TestSupport needs no Tensor;
// the Tensor-aware wrapper lives in Tests/TensorTests/GradCheck.swift.
import Foundation

public enum GradientCheck {
    /// ∂f/∂x_i ≈ (f(x + eps·e_i) − f(x − eps·e_i)) / 2eps for every i; f returns Double so sums
    /// of Float outputs lose no precision in the difference.
    public static func numericalGradient(of f: ([Float]) -> Double, at x: [Float], eps: Float = 1e-2) -> [Double] {
        var probe = x
        var g = [Double](repeating: 0, count: x.count)
        for i in 0..<x.count {
            let orig = probe[i]
            probe[i] = orig + eps
            let fp = f(probe)
            probe[i] = orig - eps
            let fm = f(probe)
            probe[i] = orig
            g[i] = (fp - fm) / (Double(orig + eps) - Double(orig - eps))
        }
        return g
    }

    /// Float-returning convenience.
    public static func numericalGradient(of f: ([Float]) -> Float, at x: [Float], eps: Float = 1e-2) -> [Double] {
        numericalGradient(of: { Double(f($0)) }, at: x, eps: eps)
    }

    /// How far an analytic gradient is from a numerical one. Element i passes when
    /// |a − n| ≤ atol + rtol·|n|.
    public struct Comparison: CustomStringConvertible {
        public var maxAbsError = 0.0
        public var worstIndex = -1
        public var failures = 0
        public var worstAnalytic = 0.0, worstNumeric = 0.0
        public var passed: Bool { failures == 0 }
        public var description: String {
            "max |analytic − numeric| = \(maxAbsError) at \(worstIndex) (analytic \(worstAnalytic), numeric \(worstNumeric)); \(failures) out of tolerance"
        }
    }

    public static func compare(analytic: [Float], numeric: [Double], atol: Double, rtol: Double) -> Comparison {
        precondition(analytic.count == numeric.count, "GradientCheck.compare: \(analytic.count) vs \(numeric.count) values")
        var c = Comparison()
        for i in 0..<analytic.count {
            let a = Double(analytic[i]), n = numeric[i], e = abs(a - n)
            if e > atol + rtol * abs(n) { c.failures += 1 }
            if e > c.maxAbsError || c.worstIndex < 0 {
                c.maxAbsError = e; c.worstIndex = i; c.worstAnalytic = a; c.worstNumeric = n
            }
        }
        return c
    }
}
