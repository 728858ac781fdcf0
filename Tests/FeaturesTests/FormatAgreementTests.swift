// The same speech as 16 kHz mono WAV, 44.1 kHz stereo FLAC and 8 kHz WAV gives closely agreeing features.
//
// Tolerance, and why: the fixtures are TTS speech with exact digital silence between words, where the log
// floor makes any resampling ripple look huge (log of ~0), so we compare only cells within 10 nats (43 dB)
// of the loudest cell: the cells that carry speech. Resampling 16k→44.1k→16k (libsoxr HQ both ways) moves
// those by 3e-4 nats on average; an 8 kHz round trip removes everything above 4 kHz, so there we compare the
// mel bands below 3.8 kHz, where soxr's anti-alias filter still leaves a small ripple (mean 5e-3 nats, 99th
// percentile 0.18).
import Audio
import Features
import Foundation
import TestSupport
import XCTest

final class FormatAgreementTests: XCTestCase {
    let fixtures = TestPaths.repo("Tests/AudioTests/Fixtures")

    func features(_ name: String) throws -> FeatureMatrix {
        try LogMelExtractor.compute(try AudioReader.load("\(fixtures)/\(name)"))
    }

    /// Mean and 99th percentile of |a - b| over loud cells of `ref` in bands `bands`.
    func compare(_ a: FeatureMatrix, _ ref: FeatureMatrix, bands: Range<Int>) -> (mean: Float, p99: Float) {
        let top = ref.data.max()!
        var diffs = [Float]()
        for t in 0..<min(a.frames, ref.frames) {
            for f in bands where ref.data[t * 80 + f] > top - 10 {
                diffs.append(abs(a.data[t * 80 + f] - ref.data[t * 80 + f]))
            }
        }
        diffs.sort()
        return (diffs.reduce(0, +) / Float(diffs.count), diffs[Int(Float(diffs.count) * 0.99)])
    }

    func testFLACStereo44kAgreesWith16kWAV() throws {
        let ref = try features("speech_16k_mono.wav")
        let flac = try features("speech_44k_stereo.flac")
        XCTAssertEqual(flac.frames, ref.frames)
        let d = compare(flac, ref, bands: 0..<80)
        XCTAssertLessThan(d.mean, 0.005)
        XCTAssertLessThan(d.p99, 0.02)
    }

    func testWAV8kAgreesBelowFourKilohertz() throws {
        let ref = try features("speech_16k_mono.wav")
        let low = try features("speech_8k_mono.wav")
        XCTAssertEqual(low.frames, ref.frames)
        let fb = MelFilterbank(config: .librosa)
        // Bands whose triangle ends below 3.8 kHz (bin 121 of 257 at 31.25 Hz per bin).
        let bands = 0..<(0..<80).filter { fb.start[$0] + fb.weights[$0].count <= 122 }.count
        XCTAssertGreaterThan(bands.count, 50)
        let d = compare(low, ref, bands: bands)
        XCTAssertLessThan(d.mean, 0.02)
        XCTAssertLessThan(d.p99, 0.3)
    }
}
