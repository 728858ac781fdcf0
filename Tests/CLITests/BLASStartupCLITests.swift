// OPENBLAS_CORETYPE naming AVX-512 kernels on a CPU without AVX-512 (an environment copied from another machine) used
// to kill scribe with an illegal instruction inside OpenBLAS; scribe now says so and uses this CPU's kernels.
import Foundation
import TestSupport
import XCTest

final class BLASStartupCLITests: XCTestCase {
    func testAnAVX512CoreTypeOnACPUWithoutItIsReplaced() throws {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flags = info.split(separator: "\n").first { $0.hasPrefix("flags") }.map { Set($0.split(separator: " ")) } ?? []
        let r = try CommandRunner.scribe(["--model", TestPaths.repo("Tests/Fixtures/tiny-model"), TestPaths.repo("audio/yes.wav")],
                                         environment: ["OPENBLAS_CORETYPE": "SKYLAKEX"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "yes\n")
        if flags.contains("avx512f") {
            XCTAssertFalse(r.stderr.contains("needs AVX-512"), r.stderr)      // the user's setting runs as asked
        } else {
            XCTAssertTrue(r.stderr.contains("OPENBLAS_CORETYPE=SKYLAKEX needs AVX-512, which this CPU lacks"), r.stderr)
        }
    }
}
