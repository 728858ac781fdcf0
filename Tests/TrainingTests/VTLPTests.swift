// Vocal tract length perturbation on log-mel features: identity at α = 1 and when off (no random draw, so runs
// without it stay bit-identical); a spectral peak moves up for α > 1 and down for α < 1; values stay within the
// input's range (linear interpolation); near f_max the warp returns to the identity.
import Features
import Tensor
import Training
import XCTest

final class VTLPTests: XCTestCase {
    let features = FeatureConfig.librosa

    /// 3 frames whose band `peak` is 1 and the rest 0.
    func peaked(at peak: Int) -> FeatureMatrix {
        var m = FeatureMatrix(frames: 3, dim: features.nMels, data: [Float](repeating: 0, count: 3 * features.nMels))
        for t in 0..<3 { m.data[t * features.nMels + peak] = 1 }
        return m
    }

    func argmax(_ m: FeatureMatrix, frame: Int) -> Int {
        let row = Array(m.data[(frame * m.dim)..<((frame + 1) * m.dim)])
        return row.indices.max { row[$0] < row[$1] }!
    }

    func testIdentityAtAlphaOneAndWhenOff() {
        let m = FeatureMatrix(frames: 4, dim: features.nMels, data: (0..<(4 * features.nMels)).map { Float($0 % 17) - 8 })
        XCTAssertEqual(VTLPConfig.warp(m, alpha: 1, features: features), m)
        var rng = RNG(seed: 3), untouched = RNG(seed: 3)
        XCTAssertEqual(VTLPConfig().apply(m, features: features, rng: &rng), m)
        XCTAssertEqual(rng.next(), untouched.next(), "VTLP off must not draw from the trainer's RNG")
    }

    func testPeakMovesWithTheWarpFactor() {
        let m = peaked(at: 30)
        for alpha in [1.1, 1.05] { XCTAssertGreaterThan(argmax(VTLPConfig.warp(m, alpha: alpha, features: features), frame: 1), 30, "α \(alpha)") }
        for alpha in [0.9, 0.95] { XCTAssertLessThan(argmax(VTLPConfig.warp(m, alpha: alpha, features: features), frame: 1), 30, "α \(alpha)") }
    }

    func testValuesStayInRangeAndTheTopBandStays() {
        var rng = RNG(seed: 5)
        let m = FeatureMatrix(frames: 5, dim: features.nMels, data: (0..<(5 * features.nMels)).map { _ in Float.random(in: -3...3, using: &rng) })
        var config = VTLPConfig()
        config.maxWarp = 0.1
        let w = config.apply(m, features: features, rng: &rng)
        XCTAssertEqual(w.frames, m.frames)
        XCTAssertNotEqual(w, m)
        XCTAssertTrue(w.data.allSatisfy { (-3...3).contains($0) })
        // Near f_max the warp returns to the identity (f_max maps to itself): a peak in the second-highest band
        // stays within a band of where it was, for both directions of α.
        let top = peaked(at: features.nMels - 2)
        for alpha in [0.9, 1.1] {
            XCTAssertLessThanOrEqual(abs(argmax(VTLPConfig.warp(top, alpha: alpha, features: features), frame: 0) - (features.nMels - 2)), 1, "α \(alpha)")
        }
    }
}
