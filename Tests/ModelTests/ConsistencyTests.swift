// Consistency of the model's paths (design habit 11): step-by-step decoding equals the teacher-forced pass;
// a batch equals its rows run alone; the streaming listener fed chunk by chunk equals the whole-input
// listener with the same chunking.
import Decoding
import Features
import Model
import NN
import Tensor
import TestSupport
import XCTest

func tinyConfig(_ kind: AttentionKind = .location) -> ModelConfig {
    var c = ModelConfig()
    c.encoder.layers = 2
    c.encoder.hidden = 8
    c.subsampling.channels = 2
    c.attention.kind = kind
    c.attention.dim = 6
    c.attention.heads = 2
    c.attention.locationKernel = 5
    c.attention.locationFilters = 3
    c.decoder.hidden = 12
    c.decoder.embedding = 5
    c.seed = 11
    return c
}

func randomFeatures(frames: Int, seed: UInt64) -> FeatureMatrix {
    FeatureMatrix(frames: frames, dim: 80, data: seededTensor([frames, 80], seed: seed).data)
}

/// Log-probs of `tokens` from the teacher-forced pass and from stepping the decoding contract, for random
/// features of `frames` frames.
func forcedAndStepped(_ model: SpeechRecognizer, frames: Int, tokens: [Int]) -> (forced: [Float], stepped: [Float]) {
    let (x, lengths) = SpeechRecognizer.batch([randomFeatures(frames: frames, seed: UInt64(frames))])
    return Tensor.withoutGrad {
        let (values, encLengths) = model.encode(x, lengths: lengths)
        let logits = model.decodeTeacherForced(values: values, lengths: encLengths, inputs: [tokens]).logSoftmax()
        var state = model.initialState(values: values, length: encLengths[0])
        var rows = [Float]()
        for t in tokens {
            let out = model.step([t], state: state)
            rows += out.logProbs
            state = out.state
        }
        return (logits.data, rows)
    }
}

/// The streaming listener's output for `features` fed in pieces of `piece` frames, then finished.
func streamed(_ model: SpeechRecognizer, spec: ChunkSpec, _ features: FeatureMatrix, piece: Int) -> [Float] {
    let stream = ListenerStream(listener: model.listener, spec: spec)
    var out = [Float]()
    var t = 0
    while t < features.frames {
        let n = min(piece, features.frames - t)
        out += stream.accept(Array(features.data[(t * features.dim)..<((t + n) * features.dim)]))
        t += n
    }
    return out + stream.finish()
}

final class ConsistencyTests: XCTestCase {
    func testStepByStepEqualsTeacherForced() {
        for kind in AttentionKind.allCases {
            let model = SpeechRecognizer(config: tinyConfig(kind))
            let (forced, stepped) = forcedAndStepped(model, frames: 37, tokens: [Vocabulary.sos, 7, 2, 12, 3, 29, 4])
            XCTAssertLessThan(maxAbsDifference(forced, stepped), 1e-5, "\(kind)")
        }
    }

    func testTransformerKinds() {
        var c = tinyConfig()
        c.encoder.kind = .transformer
        c.encoder.layers = 2
        c.encoder.dModel = 8
        c.encoder.heads = 2
        c.encoder.feedForward = 16
        c.decoder.kind = .transformer
        c.decoder.hidden = 12
        c.decoder.heads = 3
        c.decoder.layers = 2
        c.decoder.feedForward = 20
        let model = SpeechRecognizer(config: c)
        XCTAssertNotNil(model.memoryProj)   // 8-wide encoder output → 12-wide decoder
        let (forced, stepped) = forcedAndStepped(model, frames: 33, tokens: [Vocabulary.sos, 9, 2, 14, 3])
        XCTAssertLessThan(maxAbsDifference(forced, stepped), 1e-5)
    }

    func testBatchRowsEqualUnbatched() {
        let model = SpeechRecognizer(config: tinyConfig())
        let a = randomFeatures(frames: 41, seed: 2), b = randomFeatures(frames: 26, seed: 3)
        let inputs = [[Vocabulary.sos, 5, 6, 7, 8], [Vocabulary.sos, 9, 10]]
        Tensor.withoutGrad {
            let (x, lengths) = SpeechRecognizer.batch([a, b])
            let (values, encLengths) = model.encode(x, lengths: lengths)
            let logits = model.decodeTeacherForced(values: values, lengths: encLengths, inputs: inputs)   // [2, 5, V]
            let v = logits.shape[2], t = values.shape[1], e = values.shape[2]
            for (i, f) in [a, b].enumerated() {
                let (xi, li) = SpeechRecognizer.batch([f])
                let (vi, ei) = model.encode(xi, lengths: li)
                XCTAssertEqual(ei[0], encLengths[i])
                let rowValues = Array(values.data[(i * t * e)..<(i * t * e + ei[0] * e)])
                XCTAssertLessThan(maxAbsDifference(rowValues, vi.data), 1e-5, "encoder row \(i)")
                let li2 = model.decodeTeacherForced(values: vi, lengths: ei, inputs: [inputs[i]])
                let u = inputs[i].count
                let rowLogits = Array(logits.data[(i * 5 * v)..<(i * 5 * v + u * v)])
                XCTAssertLessThan(maxAbsDifference(rowLogits, li2.data), 1e-5, "decoder row \(i)")
            }
        }
    }

    func testStreamingListenerEqualsChunkedWholeInput() {
        let cases: [(ChunkSpec, Int, Bool)] = [(ChunkSpec(chunk: 4, lookahead: 2), 83, false), (ChunkSpec(chunk: 3, lookahead: 0), 64, false),
                                               (ChunkSpec(chunk: 5, lookahead: 3), 9, false), (ChunkSpec(chunk: 4, lookahead: 2), 97, true),
                                               (ChunkSpec(chunk: 3, lookahead: 0), 41, true)]
        for (spec, frames, transformer) in cases {
            var c = tinyConfig()
            c.encoder.streaming = spec
            if transformer {
                c.encoder.kind = .transformer
                c.encoder.dModel = 16
                c.encoder.heads = 2
                c.encoder.feedForward = 32
                c.encoder.layers = 2
                c.encoder.leftChunks = 2
            }
            let model = SpeechRecognizer(config: c)
            let f = randomFeatures(frames: frames, seed: 4)
            let whole = Tensor.withoutGrad { () -> [Float] in
                let (x, l) = SpeechRecognizer.batch([f])
                return model.encode(x, lengths: l, streaming: spec).values.data
            }
            for chunkFrames in [1, 7, 16, 1000] {
                let out = streamed(model, spec: spec, f, piece: chunkFrames)
                XCTAssertEqual(out.count, whole.count, "spec \(spec), transformer \(transformer), feed \(chunkFrames)")
                XCTAssertLessThan(maxAbsDifference(out, whole), 1e-4, "spec \(spec), transformer \(transformer), feed \(chunkFrames)")
            }
        }
    }

    /// At time reduction 2 (50 encoder frames/s) the streaming conv keeps the rate; fed in any pieces, the streaming
    /// listener still equals the whole-input listener, per-layer and shared look-ahead alike.
    func testStreamingListenerAtTimeReductionTwo() {
        for (spec, frames) in [(ChunkSpec(chunk: 4, lookahead: 2), 83), (ChunkSpec(chunk: 8, lookahead: 4, mode: .shared), 70),
                               (ChunkSpec(chunk: 3, lookahead: 0), 2)] {
            var c = tinyConfig()
            c.subsampling.timeReduction = 2
            c.encoder.streaming = spec
            let model = SpeechRecognizer(config: c)
            let f = randomFeatures(frames: frames, seed: 5)
            let (x, l) = SpeechRecognizer.batch([f])
            let (values, lengths) = Tensor.withoutGrad { model.encode(x, lengths: l, streaming: spec) }
            XCTAssertEqual(lengths, [(frames - 1) / 2 + 1], "one encoder frame per two input frames")
            XCTAssertEqual(c.encoderFrameRate, 50)
            for chunkFrames in [1, 5, 1000] {
                let out = streamed(model, spec: spec, f, piece: chunkFrames)
                XCTAssertEqual(out.count, values.data.count, "spec \(spec), feed \(chunkFrames)")
                XCTAssertLessThan(maxAbsDifference(out, values.data), 1e-4, "spec \(spec), feed \(chunkFrames)")
            }
        }
    }

    func testGreedyAndBeamRunAndAgreeOnTheirBest() {
        let model = SpeechRecognizer(config: tinyConfig())
        let f = randomFeatures(frames: 50, seed: 5)
        let greedy = Transcriber(model: model, beam: nil).transcribe(features: f, duration: 0.5)
        var opts = BeamOptions(beam: 4)
        opts.lengthPenalty = 0
        opts.nBest = 3
        let beam = Transcriber(model: model, beam: opts).transcribe(features: f, duration: 0.5)
        XCTAssertFalse(beam.hypotheses.isEmpty)
        XCTAssertLessThanOrEqual(beam.hypotheses.count, 3)
        // With no length normalization, beam search finds a hypothesis at least as likely as greedy's.
        XCTAssertGreaterThanOrEqual(beam.hypotheses[0].logProb, greedy.hypotheses[0].logProb - 1e-4)
        for h in beam.hypotheses { XCTAssertEqual(h.attention.count, h.tokens.count + 1) }
    }
}
