// Shape ops: values and gradients of reshape, permute/transpose, slice, concat, split, indexSelect, sum/mean.
import XCTest
@testable import Tensor

final class ShapeTests: XCTestCase {
    func testTransposeValues() {
        let a = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(a.transpose(0, 1).data, [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(a.transpose(0, 1).shape, [3, 2])
        XCTAssertEqual(a.reshaped([-1]).shape, [6])
    }

    func testSliceConcatValues() {
        let a = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(a.slice(axis: 1, 1..<3).data, [2, 3, 5, 6])
        let parts = a.split([1, 2], axis: 1)
        XCTAssertEqual(Tensor.concat(parts, axis: 1).data, a.data)
        XCTAssertEqual(a.indexSelect([1, 1, 0], axis: 0).data, [4, 5, 6, 4, 5, 6, 1, 2, 3])
    }

    func testGradients() {
        let a = randomTensor([2, 3, 4], seed: 1), b = randomTensor([2, 2, 4], seed: 2)
        checkGradients([a]) { a.reshaped([6, 4]) }
        checkGradients([a]) { a.permuted([2, 0, 1]) }
        checkGradients([a]) { a.transpose(1, 2) }
        checkGradients([a]) { a.slice(axis: 1, 1..<3) }
        checkGradients([a, b]) { Tensor.concat([a, b, a], axis: 1) }
        checkGradients([a]) { let p = a.split([1, 3], axis: 2); return p[1] * 2 + p[0] }
        checkGradients([a]) { a.indexSelect([2, 0, 2], axis: 1) }
        checkGradients([a]) { a.sum() }
        checkGradients([a]) { a.mean() }
        checkGradients([a]) { a.sum(axis: 1) }
        checkGradients([a]) { a.mean(axis: -1, keepDims: true) }
    }
}

final class SelectionTests: XCTestCase {
    func testArgmaxAndTopK() {
        let x = Tensor(shape: [2, 4], data: [0.1, 0.9, 0.9, -1, 5, 4, 3, 6])
        XCTAssertEqual(x.argmaxLastAxis(), [1, 3])
        let (v, i) = x.topK(2)
        XCTAssertEqual(v, [0.9, 0.9, 6, 5])
        XCTAssertEqual(i, [1, 2, 3, 0])
    }
}
