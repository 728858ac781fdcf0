// The shared-look-ahead BiLSTM encoder (ChunkSpec.mode = .shared): streamed, it equals the whole-input encoder
// training uses, however the input arrives, and emits each chunk as soon as its window is in, whatever the depth.
import XCTest
@testable import Model
import Features
import NN
import Tensor
import TestSupport

final class SharedLookaheadTests: XCTestCase {
    private func model(layers: Int, spec: ChunkSpec, subsampling: SubsamplingConfig.Kind = .conv2d) -> SpeechRecognizer {
        var c = tinyConfig()
        c.encoder.layers = layers
        c.encoder.streaming = spec
        c.subsampling.kind = subsampling
        return SpeechRecognizer(config: c)
    }

    /// Streams `f` in blocks of `feed` frames; returns the output and the frames emitted after each block.
    private func stream(_ model: SpeechRecognizer, _ spec: ChunkSpec, _ f: FeatureMatrix, feed: Int) -> (out: [Float], emitted: [Int]) {
        let s = ListenerStream(listener: model.listener, spec: spec)
        var out = [Float](), emitted = [Int]()
        var t = 0
        while t < f.frames {
            let n = min(feed, f.frames - t)
            out += s.accept(Array(f.data[(t * 80)..<((t + n) * 80)]))
            emitted.append(s.emitted)
            t += n
        }
        out += s.finish()
        return (out, emitted)
    }

    private func whole(_ model: SpeechRecognizer, _ spec: ChunkSpec, _ f: FeatureMatrix) -> [Float] {
        Tensor.withoutGrad {
            let (x, l) = SpeechRecognizer.batch([f])
            return model.encode(x, lengths: l, streaming: spec).values.data
        }
    }

    func testStreamEqualsTheWholeInputEncoder() {
        for (spec, layers, frames) in [(ChunkSpec(chunk: 4, lookahead: 2, mode: .shared), 3, 97),
                                       (ChunkSpec(chunk: 3, lookahead: 4, mode: .shared), 2, 61),
                                       (ChunkSpec(chunk: 5, lookahead: 1, mode: .shared), 3, 11)] {
            let m = model(layers: layers, spec: spec)
            let f = randomFeatures(frames: frames, seed: UInt64(frames))
            let reference = whole(m, spec, f)
            for feed in [1, 3, 16, 1000] {
                let out = stream(m, spec, f, feed: feed).out
                XCTAssertEqual(out.count, reference.count, "\(spec), feed \(feed)")
                XCTAssertLessThan(maxAbsDifference(out, reference), 1e-4, "\(spec), feed \(feed)")
            }
        }
    }

    func testWithoutLookAheadOrWithOneLayerSharedEqualsLayered() {
        for (chunk, lookahead, layers) in [(3, 0, 3), (4, 2, 1)] {
            let shared = ChunkSpec(chunk: chunk, lookahead: lookahead, mode: .shared)
            let layered = ChunkSpec(chunk: chunk, lookahead: lookahead)
            let m = model(layers: layers, spec: shared)
            let f = randomFeatures(frames: 71, seed: 21)
            XCTAssertLessThan(maxAbsDifference(whole(m, shared, f), whole(m, layered, f)), 1e-5, "chunk \(chunk) look-ahead \(lookahead) layers \(layers)")
        }
        // With look-ahead and depth the modes differ: the deeper layers see provisional look-ahead encodings.
        let m = model(layers: 3, spec: ChunkSpec(chunk: 4, lookahead: 2))
        let f = randomFeatures(frames: 71, seed: 22)
        XCTAssertGreaterThan(maxAbsDifference(whole(m, ChunkSpec(chunk: 4, lookahead: 2, mode: .shared), f),
                                              whole(m, ChunkSpec(chunk: 4, lookahead: 2), f)), 1e-4)
    }

    func testSharedEmitsEachChunkOnceItsWindowIsInWhateverTheDepth() {
        // No subsampling: encoder-input frames are the feature frames, so the arithmetic is visible.
        let shared = ChunkSpec(chunk: 4, lookahead: 2, mode: .shared), layered = ChunkSpec(chunk: 4, lookahead: 2)
        let m = model(layers: 3, spec: shared, subsampling: .none)
        let f = randomFeatures(frames: 60, seed: 24)
        let a = stream(m, shared, f, feed: 1).emitted
        let b = stream(m, layered, f, feed: 1).emitted
        for (i, e) in a.enumerated() {
            let received = i + 1
            XCTAssertEqual(e, max(0, (received - 2) / 4) * 4, "after \(received) frames")
            XCTAssertLessThanOrEqual(b[i], e)
        }
        // Three layers: the layered stream is two chunks behind once it gets going.
        XCTAssertEqual(b[29], a[29] - 8)
    }

    func testSharedModeRoundTripsThroughTheConfigAndOldConfigsReadAsLayered() throws {
        var c = tinyConfig()
        c.encoder.streaming = ChunkSpec(chunk: 4, lookahead: 2, mode: .shared)
        let data = try JSONConfig.encoder().encode(c)
        let back = try JSONConfig.decode(ModelConfig.self, from: data, defaults: ModelConfig(), optionalKeys: ModelConfig.optionalKeys, path: "t")
        XCTAssertEqual(back.encoder.streaming, c.encoder.streaming)
        // `scribe info` states the mode and what it costs in latency (3 layers × chunk 4 at 25 frames/s).
        c.encoder.layers = 3
        XCTAssertTrue(ModelSummary(model: SpeechRecognizer(config: c)).lines().contains { $0.contains("shared by all layers; a chunk is encoded 240 ms") })
        c.encoder.streaming?.mode = .layered
        XCTAssertTrue(ModelSummary(model: SpeechRecognizer(config: c)).lines().contains { $0.contains("per layer (layered); a chunk is encoded 560 ms") })
        let old = try JSONDecoder().decode(ChunkSpec.self, from: Data(#"{"chunk": 4, "lookahead": 2}"#.utf8))
        XCTAssertEqual(old.mode, .layered)
        c.encoder.streaming?.mode = .shared
        c.encoder.kind = .transformer
        XCTAssertThrowsError(try c.validate(path: "t", requireStatistics: false)) { error in
            XCTAssertTrue("\(error)".contains("encoder.streaming.mode"), "\(error)")
        }
    }
}
