// Softmax and log-softmax: values (rows sum to one, stable for large inputs) and gradients.
import XCTest
import Foundation
@testable import Tensor

final class SoftmaxTests: XCTestCase {
    func testValues() {
        let x = Tensor(shape: [2, 3], data: [1, 2, 3, 1000, 1000, 1000])
        let p = x.softmax().data
        let e = [1, M_E, M_E * M_E].map { Float($0 / (1 + M_E + M_E * M_E)) }
        assertClose(Array(p[0..<3]), e)
        assertClose(Array(p[3..<6]), [1.0 / 3, 1.0 / 3, 1.0 / 3])
        assertClose(x.logSoftmax().data, p.map { Foundation.log($0) })
    }

    func testGradients() {
        let x = randomTensor([2, 3, 5], -3, 3)
        checkGradients([x]) { x.softmax() }
        checkGradients([x]) { x.logSoftmax() }
    }
}
