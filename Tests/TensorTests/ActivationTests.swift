// Activations: vector kernels against libm, and gradients of every elementwise nonlinearity.
import XCTest
import Foundation
@testable import Tensor

final class ActivationTests: XCTestCase {
    func testExpAccuracy() {
        var worst: Double = 0
        for i in 0..<20001 {
            let x = Float(-80 + Double(i) * 160 / 20000)
            let e = Double(VectorMath.exp(x)), r = Foundation.exp(Double(x))
            worst = max(worst, abs(e - r) / r)
        }
        XCTAssertLessThan(worst, 1e-6, "exp relative error")
        XCTAssertEqual(VectorMath.exp(-200), 0)
        XCTAssertEqual(VectorMath.exp([0, 1]).map { Double($0) }, [1, Double(Float(M_E))])
    }

    func testTanhAndSigmoidAccuracy() {
        var worstT: Double = 0, worstS: Double = 0
        for i in 0..<20001 {
            let x = Float(-20 + Double(i) * 40 / 20000)
            let t = Double(VectorMath.tanh(x)), rt = Foundation.tanh(Double(x))
            worstT = max(worstT, abs(t - rt) / max(abs(rt), 1e-30))
            let s = Double(VectorMath.sigmoid(x)), rs = 1 / (1 + Foundation.exp(-Double(x)))
            worstS = max(worstS, abs(s - rs) / rs)
        }
        XCTAssertLessThan(worstT, 1e-6, "tanh relative error")
        XCTAssertLessThan(worstS, 1e-6, "sigmoid relative error")
        XCTAssertEqual(VectorMath.tanh(1e-5), 1e-5)
    }

    func testBufferKernelsMatchScalar() {
        let x = randomTensor([1000], -10, 10).data
        XCTAssertEqual(VectorMath.tanh(x), x.map { VectorMath.tanh($0) })
        XCTAssertEqual(VectorMath.exp(x), x.map { VectorMath.exp($0) })
    }

    func testGradients() {
        let x = randomTensor([3, 5], -2, 2)
        checkGradients([x]) { x.sigmoid() }
        checkGradients([x]) { x.tanh() }
        checkGradients([x]) { x.gelu() }
        checkGradients([x]) { x.exp() }
        checkGradients([x]) { x.square() }
        let p = randomTensor([3, 5], 0.5, 2)
        checkGradients([p]) { p.log() }
        checkGradients([p]) { p.sqrt() }
        // relu: keep inputs away from the kink at 0
        let r = Tensor(shape: [6], data: [-1.5, -0.7, -0.2, 0.3, 0.9, 1.7])
        checkGradients([r]) { r.relu() }
    }
}
