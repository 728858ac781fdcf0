// The two-pass final of the streaming session: with FinalPass.full a segment's final equals the offline
// transcription of the same audio (full-context encoder, same beam search), even for a model whose streaming
// encoder is chunked; with FinalPass.streaming it comes from the chunked encoder instead.
import Audio
import Decoding
import Model
import NN
import TestSupport
import XCTest

final class StreamingFinalPassTests: XCTestCase {
    func finals(_ session: StreamingSession, _ samples: [Float]) throws -> [String] {
        var out = [String]()
        func collect(_ events: [StreamEvent]) { for case .final(let text, _, _, _) in events { out.append(text) } }
        var i = 0
        while i < samples.count {
            collect(try session.accept(Array(samples[i..<min(i + 1024, samples.count)])))
            i += 1024
        }
        collect(try session.finish())
        return out
    }

    /// An untrained tiny model with a chunked streaming encoder and a CTC head, a clip, and a beam-3 joint search.
    func setUpChunkedModel() throws -> (SpeechRecognizer, [Float], BeamOptions) {
        var config = tinyConfig()
        config.encoder.streaming = ChunkSpec(chunk: 2, lookahead: 1)
        config.ctcWeight = 0.3
        let samples = try AudioReader.load(TestPaths.repo("audio/yes.wav"))
        var options = BeamOptions(beam: 3)
        options.ctcWeight = 0.3
        options.maxLengthConstant = 3
        return (SpeechRecognizer(config: config), samples, options)
    }

    func testFullFinalPassEqualsOfflineTranscription() throws {
        let (model, samples, options) = try setUpChunkedModel()
        let offline = try Transcriber(model: model, beam: options).transcribe(samples: samples).text
        let full = try finals(try StreamingSession(model: model, options: options), samples)
        XCTAssertEqual(full, [offline])
        let session = try StreamingSession(model: model, options: options)
        session.finalPass = .streaming
        let streamed = try finals(session, samples)
        XCTAssertEqual(streamed.count, 1)
        XCTAssertNotEqual(streamed, full, "the streaming pass sees only chunks: an untrained model decodes it differently")
    }

    /// `finalBeam` sets the two-pass final's beam apart from the partials' (scribe stream: partials beam 4, finals 8).
    func testFinalBeamSetsTheSecondPassSearch() throws {
        let (model, samples, options) = try setUpChunkedModel()
        let greedy = try Transcriber(model: model, beam: nil).transcribe(samples: samples).text
        XCTAssertNotEqual(greedy, try Transcriber(model: model, beam: options).transcribe(samples: samples).text,
                          "the test needs a model whose greedy and beam-3 results differ")
        var wide = options
        wide.beam = 6
        let beam6 = try Transcriber(model: model, beam: wide).transcribe(samples: samples).text
        for (finalBeam, expected) in [(1, greedy), (6, beam6)] {
            let session = try StreamingSession(model: model, options: options)
            session.finalBeam = finalBeam
            XCTAssertEqual(try finals(session, samples), [expected], "final beam \(finalBeam)")
        }
    }

    /// With online mean normalization, streamed features are the offline ones: the two-pass final equals the
    /// offline transcription, and that transcription depends on the normalization, so a stream that skipped or
    /// misapplied it would differ.
    func testOnlineMeanNormalizationStreamsAsOffline() throws {
        let (base, samples, options) = try setUpChunkedModel()
        var config = base.config
        config.normalization = NormalizationConfig(kind: .global, mean: [Float](repeating: -6, count: 80), std: [Float](repeating: 3, count: 80),
                                                   onlineMean: OnlineMeanConfig(window: 20, priorFrames: 5))
        var plainConfig = config
        plainConfig.normalization.onlineMean = nil
        let model = SpeechRecognizer(config: config), plain = SpeechRecognizer(config: plainConfig)
        let offline = try Transcriber(model: model, beam: options).transcribe(samples: samples).text
        XCTAssertNotEqual(offline, try Transcriber(model: plain, beam: options).transcribe(samples: samples).text,
                          "the test needs a model whose output depends on the online mean")
        XCTAssertEqual(try finals(try StreamingSession(model: model, options: options), samples), [offline])
    }
}
