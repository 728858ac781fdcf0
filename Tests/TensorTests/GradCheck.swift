// GradCheck: the Tensor tests' wrapper over TestSupport's gradientComparisons (unnamed inputs, tighter default
// tolerance). It seeds backward with
// fixed random weights R (so every output element matters) and compares each input's gradient
// with central differences of Σ out·R, evaluated with the tape off.
import XCTest
import Tensor
import TestSupport

/// Checks d(Σ f()·R)/d(input) for every input against central differences.
/// Default tolerance: |analytic − numeric| ≤ 2e-3 + 2e-2·|numeric| with eps = 1e-2 in Float32.
func checkGradients(_ inputs: [Tensor], eps: Float = 1e-2, atol: Double = 2e-3, rtol: Double = 2e-2,
                    file: StaticString = #filePath, line: UInt = #line, _ f: () -> Tensor) {
    for (k, c) in gradientComparisons(inputs, eps: eps, atol: atol, rtol: rtol, f).enumerated() {
        XCTAssertTrue(c.passed, "input \(k) (shape \(inputs[k].shape)): \(c)", file: file, line: line)
    }
}

/// A tensor of uniform values in [lo, hi) from a fixed seed.
func randomTensor(_ shape: [Int], _ lo: Float = -1, _ hi: Float = 1, seed: UInt64 = 1) -> Tensor {
    var rng = RNG(seed: seed)
    return Tensor.uniform(shape, lo, hi, rng: &rng)
}

func assertClose(_ a: [Float], _ b: [Float], tol: Float = 1e-5, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "counts differ", file: file, line: line)
    for i in 0..<min(a.count, b.count) where abs(a[i] - b[i]) > tol * max(1, abs(b[i])) {
        XCTFail("element \(i): \(a[i]) vs \(b[i]) (tol \(tol))", file: file, line: line)
        return
    }
}
