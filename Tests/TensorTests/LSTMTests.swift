// LSTM: the fused layer against the same math written with primitive ops, gradient checks for
// every input, step-by-step = whole sequence, and padded batch = unpadded single sequence.
import XCTest
@testable import Tensor

final class LSTMTests: XCTestCase {
    let (b, t, f, h) = (2, 4, 3, 5)

    func weights(seed: UInt64 = 1) -> (Tensor, Tensor, Tensor) {
        (randomTensor([4 * h, f], -0.6, 0.6, seed: seed), randomTensor([4 * h, h], -0.6, 0.6, seed: seed + 1),
         randomTensor([4 * h], -0.6, 0.6, seed: seed + 2))
    }

    /// The LSTM equations with unfused ops.
    func reference(_ x: Tensor, _ wih: Tensor, _ whh: Tensor, _ bias: Tensor) -> Tensor {
        var hs = Tensor.zeros([b, h]), cs = Tensor.zeros([b, h])
        var outs: [Tensor] = []
        for step in 0..<t {
            let xt = x.slice(axis: 1, step..<(step + 1)).reshaped([b, f])
            let gates = xt.matmul(wih, transposeB: true) + hs.matmul(whh, transposeB: true) + bias
            let p = gates.split([h, h, h, h], axis: 1)
            cs = p[1].sigmoid() * cs + p[0].sigmoid() * p[2].tanh()
            hs = p[3].sigmoid() * cs.tanh()
            outs.append(hs.reshaped([b, 1, h]))
        }
        return Tensor.concat(outs, axis: 1)
    }

    func testMatchesUnfusedOps() {
        let x = randomTensor([b, t, f], seed: 9)
        let (wih, whh, bias) = weights()
        let r = Tensor.lstm(x, wIH: wih, wHH: whh, bias: bias)
        let ref = reference(x, wih, whh, bias)
        assertClose(r.output.data, ref.data, tol: 1e-5)
        assertClose(r.h.data, ref.slice(axis: 1, (t - 1)..<t).data, tol: 1e-5)
    }

    func testGradients() {
        let x = randomTensor([b, t, f], seed: 9)
        let (wih, whh, bias) = weights()
        let h0 = randomTensor([b, h], seed: 20), c0 = randomTensor([b, h], seed: 21)
        for reverse in [false, true] {
            checkGradients([x, wih, whh, bias, h0, c0]) {
                let r = Tensor.lstm(x, wIH: wih, wHH: whh, bias: bias, h0: h0, c0: c0, lengths: [4, 2], reverse: reverse)
                return Tensor.concat([r.output.reshaped([-1]), r.h.reshaped([-1]), r.c.reshaped([-1])], axis: 0)
            }
        }
    }

    func testCellStepsEqualSequence() {
        let x = randomTensor([b, t, f], seed: 9)
        let (wih, whh, bias) = weights()
        let seq = Tensor.lstm(x, wIH: wih, wHH: whh, bias: bias)
        var state = (h: Tensor.zeros([b, h]), c: Tensor.zeros([b, h]))
        for step in 0..<t {
            state = Tensor.lstmCell(x.slice(axis: 1, step..<(step + 1)).reshaped([b, f]), h: state.h, c: state.c,
                                    wIH: wih, wHH: whh, bias: bias)
        }
        assertClose(state.h.data, seq.h.data, tol: 1e-6)
        assertClose(state.c.data, seq.c.data, tol: 1e-6)
        let xs = randomTensor([b, f], seed: 30), hs = randomTensor([b, h], seed: 31), cs = randomTensor([b, h], seed: 32)
        checkGradients([xs, hs, cs, wih]) {
            let s = Tensor.lstmCell(xs, h: hs, c: cs, wIH: wih, wHH: whh, bias: bias)
            return Tensor.concat([s.h, s.c], axis: 1)
        }
    }

    func testPaddedBatchEqualsSingleSequence() {
        let (wih, whh, bias) = weights()
        let x = randomTensor([b, t, f], seed: 9)
        let shortLen = 2
        let alone = x.slice(axis: 0, 1..<2).slice(axis: 1, 0..<shortLen)
        for reverse in [false, true] {
            let batched = Tensor.lstm(x, wIH: wih, wHH: whh, bias: bias, lengths: [t, shortLen], reverse: reverse)
            let single = Tensor.lstm(alone, wIH: wih, wHH: whh, bias: bias, reverse: reverse)
            let row = batched.output.slice(axis: 0, 1..<2)
            assertClose(row.slice(axis: 1, 0..<shortLen).data, single.output.data, tol: 1e-6)
            XCTAssertTrue(row.slice(axis: 1, shortLen..<t).data.allSatisfy { $0 == 0 }, "padding frames output 0")
            assertClose(batched.h.slice(axis: 0, 1..<2).data, single.h.data, tol: 1e-6)
        }
    }
}
