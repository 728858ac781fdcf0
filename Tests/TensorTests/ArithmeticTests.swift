// Arithmetic: broadcasting values and gradients of add/sub/mul/div and scalar affine ops.
import XCTest
@testable import Tensor

final class ArithmeticTests: XCTestCase {
    func testRowBroadcastValues() {
        let a = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        let b = Tensor([10, 20, 30])
        XCTAssertEqual((a + b).data, [11, 22, 33, 14, 25, 36])
        XCTAssertEqual((a * b).shape, [2, 3])
    }

    func testGeneralBroadcastValues() {
        let a = Tensor(shape: [2, 1], data: [1, 2])
        let b = Tensor(shape: [1, 3], data: [10, 20, 30])
        XCTAssertEqual((a + b).data, [11, 21, 31, 12, 22, 32])
    }

    func testGradientsSameShape() {
        let a = randomTensor([3, 4], seed: 1), b = randomTensor([3, 4], 0.5, 2, seed: 2)
        checkGradients([a, b]) { a + b }
        checkGradients([a, b]) { a - b }
        checkGradients([a, b]) { a * b }
        checkGradients([a, b]) { a / b }
    }

    func testGradientsBroadcast() {
        let a = randomTensor([2, 3, 4], seed: 3), row = randomTensor([4], 0.5, 2, seed: 4)
        let col = randomTensor([2, 3, 1], 0.5, 2, seed: 5), mid = randomTensor([3, 1], 0.5, 2, seed: 6)
        checkGradients([a, row]) { a * row + row }
        checkGradients([a, col]) { a / col - col }
        checkGradients([a, mid]) { a * mid }
    }

    func testScalarOps() {
        let a = randomTensor([5], seed: 7)
        checkGradients([a]) { (a * 3 + 1) - 2 }
        checkGradients([a]) { -a }
    }

    /// The gradient reversal layer is the identity forward and −λ times the true gradient backward, for what is
    /// below it only: the plain expression's gradients are checked numerically, then the reversed one's against them.
    func testGradientReversal() {
        let a = randomTensor([6], seed: 11), w = randomTensor([6], seed: 12)
        let lambda: Float = 0.7
        checkGradients([a, w]) { (a.square() * w).tanh() }
        a.zeroGrad(); w.zeroGrad()
        let plain = (a.square() * w).tanh()
        plain.sum().backward()
        let (ga, gw) = (a.grad!, w.grad!)
        a.zeroGrad(); w.zeroGrad()
        let reversed = (a.square().gradientReversed(lambda) * w).tanh()
        XCTAssertEqual(reversed.data, plain.data, "the identity forward")
        reversed.sum().backward()
        assertClose(a.grad!, ga.map { -lambda * $0 })
        assertClose(w.grad!, gw)
    }

    func testGradientAccumulatesWhenReused() {
        let a = Tensor([1, 2, 3], requiresGrad: true)
        (a * a + a).sum().backward()
        XCTAssertEqual(a.grad!, [3, 5, 7])
    }
}
