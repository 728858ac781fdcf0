// Autograd: the tape's bookkeeping — no-grad mode, leaves keep gradients, zeroGrad, deep graphs.
import XCTest
@testable import Tensor
import TestSupport

final class AutogradTests: XCTestCase {
    func testNoGradModeRecordsNothing() {
        let w = Tensor([1, 2], requiresGrad: true)
        let y = Tensor.withoutGrad { (w * w).sum() }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue((w * w).sum().requiresGrad)
    }

    func testInputsWithoutRequiresGradGetNoGradient() {
        let w = Tensor([1, 2], requiresGrad: true), x = Tensor([3, 4])
        (w * x).sum().backward()
        XCTAssertEqual(w.grad!, [3, 4])
        XCTAssertNil(x.grad)
        w.zeroGrad()
        XCTAssertNil(w.grad)
    }

    func testDiamondGraph() {
        // y = (a·b) + (a·b)·a with a shared intermediate: the gradient flows through both paths once.
        let a = Tensor(scalar: 3, requiresGrad: true), b = Tensor(scalar: 2, requiresGrad: true)
        let ab = a * b
        (ab + ab * a).backward()
        XCTAssertEqual(a.grad!, [2 + 2 * 2 * 3])   // d/da (ab + a²b) = b + 2ab
        XCTAssertEqual(b.grad!, [3 + 9])           // a + a²
    }

    func testLongChainDoesNotOverflowStack() {
        let a = Tensor(scalar: 1, requiresGrad: true)
        var y = a
        for _ in 0..<20000 { y = y + 0 }
        y.backward()
        XCTAssertEqual(a.grad!, [1])
    }

    func testReleasingLongGraphWithoutBackwardDoesNotOverflowStack() {
        let a = Tensor(scalar: 1, requiresGrad: true)
        var y: Tensor? = a
        for _ in 0..<200_000 { y = y! * 1 }
        y = nil
        XCTAssertNil(y)
    }
}

final class GradCheckSelfTest: XCTestCase {
    /// The checker itself must fail on a wrong backward (here: d(2x)/dx reported as 3).
    func testCheckerCatchesWrongGradient() {
        let x = randomTensor([4])
        let wrong = { Tensor.make("wrong", shape: x.shape, data: x.data.map { 2 * $0 }, parents: [x]) { g in
            x.accumulateGrad(g.map { 3 * $0 })
        } }
        let c = gradientComparisons([x], eps: 1e-2, atol: 2e-3, rtol: 2e-2, wrong)
        XCTAssertFalse(c[0].passed, "a wrong gradient must be caught")
        XCTAssertTrue(gradientComparisons([x], eps: 1e-2, atol: 2e-3, rtol: 2e-2) { x * 2 }[0].passed)
    }
}
