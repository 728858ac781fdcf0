// Optimizers and schedules: hand-computed first steps, convergence on a quadratic, clipping,
// state export/restore, and the shape of each LR schedule.
import XCTest
import Foundation
@testable import Tensor

final class OptimizerTests: XCTestCase {
    func testSGDMomentumSteps() {
        let w = Tensor([1], requiresGrad: true)
        let opt = SGD(parameters: [w], learningRate: 0.1, momentum: 0.9)
        w.grad = [2]; opt.step()          // v = 2, w = 1 − 0.2
        XCTAssertEqual(w.data[0], 0.8, accuracy: 1e-6)
        w.grad = [2]; opt.step()          // v = 3.8, w = 0.8 − 0.38
        XCTAssertEqual(w.data[0], 0.42, accuracy: 1e-6)
    }

    func testAdamFirstStepIsLearningRateTimesSign() {
        let w = Tensor([1, -1], requiresGrad: true)
        let opt = Adam(parameters: [w], learningRate: 0.01)
        w.grad = [5, -0.3]; opt.step()
        XCTAssertEqual(w.data[0], 0.99, accuracy: 1e-5)
        XCTAssertEqual(w.data[1], -0.99, accuracy: 1e-5)
    }

    func testAdamWDecaysWeightsWithoutGradientScale() {
        let w = Tensor([2], requiresGrad: true)
        let opt = Adam.adamW(parameters: [w], learningRate: 0.1, weightDecay: 0.5)
        w.grad = [0]; opt.step()          // w −= lr·λ·w = 0.1; the Adam part is 0
        XCTAssertEqual(w.data[0], 1.9, accuracy: 1e-6)
    }

    func testOptimizersMinimizeQuadratic() {
        for make in [{ SGD(parameters: $0, learningRate: 0.1, momentum: 0.5) as Optimizer },
                     { Adam(parameters: $0, learningRate: 0.1) as Optimizer }] {
            let w = Tensor([3, -2, 0.5], requiresGrad: true)
            let target = Tensor([1, 1, 1])
            let opt = make([w])
            for _ in 0..<300 {
                opt.zeroGrad()
                ((w - target).square()).sum().backward()
                opt.step()
            }
            assertClose(w.data, [1, 1, 1], tol: 1e-2)
        }
    }

    func testClipGradNorm() {
        let a = Tensor([0, 0], requiresGrad: true), b = Tensor([0], requiresGrad: true)
        a.grad = [3, 0]; b.grad = [4]
        XCTAssertEqual(clipGradNorm([a, b], maxNorm: 1), 5, accuracy: 1e-6)
        assertClose(a.grad! + b.grad!, [0.6, 0, 0.8], tol: 1e-5)
        XCTAssertEqual(clipGradNorm([a, b], maxNorm: 10), 1, accuracy: 1e-5)   // below max: unchanged
        assertClose(a.grad!, [0.6, 0], tol: 1e-5)
    }

    func testAdamStateRoundTrip() throws {
        let w1 = Tensor([1, 2], requiresGrad: true), w2 = Tensor([1, 2], requiresGrad: true)
        let o1 = Adam(parameters: [w1]), o2 = Adam(parameters: [w2])
        w1.grad = [1, -1]; o1.step()
        w2.data = w1.data
        try o2.loadState(o1.stateTensors())
        w1.grad = [0.5, 2]; w2.grad = [0.5, 2]
        o1.step(); o2.step()
        XCTAssertEqual(w1.data, w2.data)
        XCTAssertThrowsError(try o2.loadState([:]))
    }

    func testSchedules() {
        let noam = NoamLR(peak: 1e-3, warmup: 100)
        XCTAssertEqual(noam.learningRate(at: 50), 5e-4, accuracy: 1e-9)
        XCTAssertEqual(noam.learningRate(at: 100), 1e-3, accuracy: 1e-9)
        XCTAssertEqual(noam.learningRate(at: 400), 5e-4, accuracy: 1e-9)
        let paper = NoamLR(dModel: 256, warmup: 4000)
        XCTAssertEqual(paper.learningRate(at: 4000), Float(1 / (16 * Foundation.sqrt(4000.0))), accuracy: 1e-9)
        let exp = ExponentialLR(initial: 1, decay: 0.5, every: 10)
        XCTAssertEqual(exp.learningRate(at: 20), 0.25, accuracy: 1e-7)
        let cos = CosineLR(peak: 1, warmup: 10, total: 110, minimum: 0.1)
        XCTAssertEqual(cos.learningRate(at: 4), 0.5, accuracy: 1e-6)
        XCTAssertEqual(cos.learningRate(at: 10), 1, accuracy: 1e-6)
        XCTAssertEqual(cos.learningRate(at: 60), 0.55, accuracy: 1e-6)
        XCTAssertEqual(cos.learningRate(at: 500), 0.1, accuracy: 1e-6)
    }
}
