// Platform: OpenBLAS runs its fast kernels (the test runner exports OPENBLAS_CORETYPE), and
// Threading's chunking covers every index exactly once.
import XCTest
import Foundation
@testable import Tensor

final class PlatformTests: XCTestCase {
    func testBLASCoreIsNotPrescottOnAVX2() throws {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        guard info.contains(" avx2") else { throw XCTSkip("no AVX2 on this CPU") }
        let core = BLAS.coreName()
        XCTAssertNotEqual(core.lowercased(), "prescott",
                          "OpenBLAS chose slow generic kernels. HINT: export OPENBLAS_CORETYPE=SKYLAKEX (or HASWELL) before starting")
    }

    func testParallelForCoversRange() {
        let before = Threading.threads
        defer { Threading.configure(threads: before) }
        Threading.configure(threads: 2)
        let n = 3 * Threading.parallelThreshold + 7
        var hits = [Int32](repeating: 0, count: n)
        hits.withUnsafeMutableBufferPointer { buf in
            let p = SendablePointer(buf.baseAddress!)
            Threading.parallelFor(n) { r in for i in r { p.base[i] += 1 } }
        }
        XCTAssertTrue(hits.allSatisfy { $0 == 1 })
        let x = randomTensor([n], -5, 5).data
        XCTAssertEqual(VectorMath.tanh(x), x.map { VectorMath.tanh($0) })
    }
}
