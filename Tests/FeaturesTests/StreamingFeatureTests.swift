// The streaming extractor fed arbitrary chunk sizes yields exactly the whole-signal frames.
import Audio
import Features
import Foundation
import TestSupport
import XCTest

final class StreamingFeatureTests: XCTestCase {
    func streamed(_ x: [Float], chunk: Int, config: FeatureConfig) throws -> [Float] {
        let ex = try LogMelExtractor(config: config)
        var out = [Float]()
        var i = 0
        while i < x.count {
            ex.accept(Array(x[i..<min(i + chunk, x.count)]), into: &out)
            i += chunk
        }
        ex.finish(into: &out)
        return out
    }

    func testChunkSizesGiveIdenticalFrames() throws {
        let x = try AudioReader.load(TestPaths.repo("Tests/FeaturesTests/Goldens/signal.wav"))
        for config in [FeatureConfig.librosa, FeatureConfig.kaldi] {
            let whole = try LogMelExtractor.compute(x, config: config)
            XCTAssertEqual(whole.frames, config.frameCount(samples: x.count))
            for chunk in [1, 7, 160, 4096] {
                let s = try streamed(x, chunk: chunk, config: config)
                XCTAssertEqual(s.count, whole.data.count, "chunk \(chunk)")
                XCTAssertTrue(s == whole.data, "chunk \(chunk): frames differ")  // exact equality
            }
        }
    }

    func testFrameCounts() throws {
        for n in [1, 159, 160, 400, 401, 16_000] {
            let x = [Float](repeating: 0.1, count: n)
            XCTAssertEqual(try LogMelExtractor.compute(x).frames, n / 160 + 1, "center, n=\(n)")
            XCTAssertEqual(try LogMelExtractor.compute(x, config: .kaldi).frames, n < 400 ? 0 : (n - 400) / 160 + 1, "snip, n=\(n)")
        }
    }

    func testBadConfigNamesTheField() {
        var c = FeatureConfig.librosa
        c.hopLength = 0
        XCTAssertThrowsError(try LogMelExtractor(config: c)) { XCTAssertTrue("\($0)".contains("hop_length")) }
        c = .librosa
        c.fMax = 9000
        XCTAssertThrowsError(try LogMelExtractor(config: c)) { XCTAssertTrue("\($0)".contains("f_max")) }
    }

    func testConfigRoundTripsThroughJSON() throws {
        let data = try JSONEncoder().encode(FeatureConfig.kaldi)
        XCTAssertEqual(try JSONDecoder().decode(FeatureConfig.self, from: data), .kaldi)
    }

    func testNormalization() throws {
        let x = try AudioReader.load(TestPaths.repo("Tests/FeaturesTests/Goldens/signal.wav"))
        let m = try LogMelExtractor.compute(x).normalizedPerUtterance()
        var stats = FeatureStats(dim: 80)
        stats.accumulate(m)
        for f in [0, 40, 79] {
            XCTAssertEqual(stats.mean[f], 0, accuracy: 1e-4)
            XCTAssertEqual(stats.std[f], 1, accuracy: 1e-3)
        }
    }
}
