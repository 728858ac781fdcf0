// A segment with no pause long enough to end it is cut for length at its quietest frame (EnergyVAD), and the
// streaming session ends that segment's final there and starts the next one with the audio after the cut.
import Audio
import Decoding
import Foundation
import Model
import NN
import XCTest

final class StreamingLengthCutTests: XCTestCase {
    /// 26 s of a 200 Hz tone modulated at syllable rate (never quiet for 0.5 s), with one near-silent 0.2 s gap
    /// at 17.5 s.
    private func talking() -> [Float] {
        (0..<(26 * 16_000)).map { i in
            let t = Double(i) / 16_000
            if t >= 17.5 && t < 17.7 { return Float(0.001 * sin(2 * .pi * 200 * t)) }
            let envelope = 0.05 + 0.3 * abs(sin(2 * .pi * 3 * t))
            return Float(envelope * sin(2 * .pi * 200 * t))
        }
    }

    func testLengthCutEndsTheFinalAtTheQuietestFrame() throws {
        for pass in FinalPass.allCases {
            var config = tinyConfig()
            config.encoder.streaming = ChunkSpec(chunk: 2, lookahead: 1, mode: .shared)
            let session = try StreamingSession(model: SpeechRecognizer(config: config), options: BeamOptions(beam: 2))
            session.finalPass = pass
            let samples = talking()
            var finals = [(start: Double, end: Double)]()
            func collect(_ events: [StreamEvent]) { for case .final(_, let start, let end, _) in events { finals.append((start, end)) } }
            var i = 0
            while i < samples.count {
                collect(try session.accept(Array(samples[i..<min(i + 1024, samples.count)])))
                i += 1024
            }
            collect(try session.finish())
            XCTAssertEqual(finals.count, 2, "\(pass): \(finals)")
            guard finals.count == 2 else { continue }
            // The cut lands in the gap, not at the 20 s limit where the stream happened to be.
            XCTAssertEqual(finals[0].end, 17.6, accuracy: 0.11, "\(pass)")
            XCTAssertEqual(finals[1].start, finals[0].end, accuracy: 1e-9, "\(pass)")
            XCTAssertEqual(finals[1].end, 26, accuracy: 0.01, "\(pass)")
        }
    }
}
