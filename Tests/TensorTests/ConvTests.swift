// Convolution: conv2d/conv1d against a direct loop, and gradients for input, weight and bias.
import XCTest
@testable import Tensor

final class ConvTests: XCTestCase {
    /// Direct cross-correlation, the definition.
    func naiveConv2d(_ x: Tensor, _ w: Tensor, _ bias: [Float], stride: (Int, Int), padding: (Int, Int)) -> [Float] {
        let (b, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let ho = (h + 2 * padding.0 - kh) / stride.0 + 1, wo = (wd + 2 * padding.1 - kw) / stride.1 + 1
        var out = [Float]()
        for n in 0..<b { for oc in 0..<o { for i in 0..<ho { for j in 0..<wo {
            var s = bias[oc]
            for ch in 0..<c { for p in 0..<kh { for q in 0..<kw {
                let y = i * stride.0 - padding.0 + p, xx = j * stride.1 - padding.1 + q
                if y >= 0 && y < h && xx >= 0 && xx < wd {
                    s += x.data[((n * c + ch) * h + y) * wd + xx] * w.data[((oc * c + ch) * kh + p) * kw + q]
                }
            } } }
            out.append(s)
        } } } }
        return out
    }

    func testConv2dValues() {
        let x = randomTensor([2, 3, 7, 6], seed: 1), w = randomTensor([4, 3, 3, 3], seed: 2), b = randomTensor([4], seed: 3)
        let y = Tensor.conv2d(x, weight: w, bias: b, stride: (2, 2), padding: (1, 1))
        XCTAssertEqual(y.shape, [2, 4, 4, 3])
        assertClose(y.data, naiveConv2d(x, w, b.data, stride: (2, 2), padding: (1, 1)), tol: 1e-5)
    }

    func testConv2dGradients() {
        let x = randomTensor([2, 2, 5, 4], seed: 4), w = randomTensor([3, 2, 3, 3], seed: 5), b = randomTensor([3], seed: 6)
        checkGradients([x, w, b]) { Tensor.conv2d(x, weight: w, bias: b, stride: (2, 1), padding: (1, 1)) }
        checkGradients([x, w]) { Tensor.conv2d(x, weight: w) }
    }

    func testConv1d() {
        let x = randomTensor([2, 3, 9], seed: 7), w = randomTensor([2, 3, 5], seed: 8)
        let y = Tensor.conv1d(x, weight: w, padding: 2)
        XCTAssertEqual(y.shape, [2, 2, 9])
        let ref = naiveConv2d(x.reshaped([2, 3, 1, 9]), w.reshaped([2, 3, 1, 5]), [0, 0], stride: (1, 1), padding: (0, 2))
        assertClose(y.data, ref, tol: 1e-5)
        checkGradients([x, w]) { Tensor.conv1d(x, weight: w, stride: 2, padding: 2) }
    }
}
