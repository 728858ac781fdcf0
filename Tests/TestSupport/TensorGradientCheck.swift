// The Tensor-aware gradient check every layer test uses: backward is seeded with fixed random weights R (so every
// output element matters) and each input's gradient is compared with central differences of Σ f()·R, evaluated
// with the tape off.
import Tensor
import XCTest

/// Checks d(Σ f()·R)/d(input) for every named input against central differences with step `eps` (Float32).
/// Element i passes when |analytic − numeric| ≤ atol + rtol·|numeric|.
public func assertGradients(_ inputs: [(String, Tensor)], eps: Float = 1e-2, atol: Double = 3e-3, rtol: Double = 3e-2,
                            file: StaticString = #filePath, line: UInt = #line, _ f: () -> Tensor) {
    let comparisons = gradientComparisons(inputs.map(\.1), eps: eps, atol: atol, rtol: rtol, f)
    for ((name, t), c) in zip(inputs, comparisons) {
        XCTAssertTrue(c.passed, "\(name) (shape \(t.shape)): \(c)", file: file, line: line)
    }
}

/// One comparison per input: the analytic gradient of Σ f()·R (R fixed random weights, so every output element
/// matters) against central differences evaluated with the tape off.
public func gradientComparisons(_ inputs: [Tensor], eps: Float, atol: Double, rtol: Double,
                                _ f: () -> Tensor) -> [GradientCheck.Comparison] {
    for t in inputs { t.requiresGrad = true; t.zeroGrad() }
    let out = f()
    var rng = RNG(seed: 99)
    let weights = (0..<out.count).map { _ in rng.uniform(-1, 1) }
    out.backward(seed: weights)
    return inputs.map { t in
        let analytic = t.grad ?? [Float](repeating: 0, count: t.count)
        let saved = t.data
        let numeric = GradientCheck.numericalGradient(of: { (x: [Float]) -> Double in
            t.data = x
            let y = Tensor.withoutGrad { f() }
            var s = 0.0
            for i in 0..<y.count { s += Double(y.data[i]) * Double(weights[i]) }
            return s
        }, at: saved, eps: eps)
        t.data = saved
        return GradientCheck.compare(analytic: analytic, numeric: numeric, atol: atol, rtol: rtol)
    }
}

/// Uniform values in [lo, hi) from a fixed seed.
public func seededTensor(_ shape: [Int], _ lo: Float = -1, _ hi: Float = 1, seed: UInt64 = 1) -> Tensor {
    var rng = RNG(seed: seed)
    return Tensor.uniform(shape, lo, hi, rng: &rng)
}

/// max |a − b| (∞ when the counts differ or a value is NaN).
public func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    var m: Float = 0
    for i in a.indices {
        let d = abs(a[i] - b[i])
        if d.isNaN { return .infinity }
        m = max(m, d)
    }
    return m
}
