// The Transformer encoder: streaming chunk by chunk equals the whole-input forward under the same chunk mask,
// chunk mask pattern, positions, padding independence, batch-of-one consistency and the reference size.
import XCTest
import Tensor
import TestSupport
@testable import NN

final class TransformerEncoderTests: XCTestCase {
    func makeEncoder(seed: UInt64 = 41, layers: Int = 3) -> TransformerEncoder {
        var rng = RNG(seed: seed)
        return TransformerEncoder(inputDim: 6, dim: 16, heads: 4, feedForward: 32, layers: layers, rng: &rng)
    }

    /// Feeds x [1, T, In] to a stream in blocks of `feed` frames, then finish() → [1, T, D].
    func streamed(_ encoder: TransformerEncoder, _ x: Tensor, _ config: ChunkConfig, feed: Int) -> Tensor {
        let t = x.shape[1], stream = encoder.stream(config)
        var parts: [Tensor] = []
        for start in stride(from: 0, to: t, by: feed) {
            if let y = stream(x.slice(axis: 1, start..<min(start + feed, t))) { parts.append(y) }
            XCTAssertEqual(parts.reduce(0) { $0 + $1.shape[1] }, stream.emitted)
        }
        if let y = stream.finish() { parts.append(y) }
        XCTAssertEqual(stream.frames, t)
        XCTAssertEqual(stream.emitted, t)
        return Tensor.concat(parts, axis: 1)
    }

    /// MUST-SHOW: chunk-by-chunk streaming equals the whole-input forward with the same masks
    /// (max abs diff < 1e-5), for chunk sizes 1...30, left contexts nil/0/1/2 and look-ahead 0/2 frames,
    /// T = 23 (not a multiple of any chunk size > 1); blocks of one chunk, and of 5 frames.
    func testStreamingEqualsWholeInputForward() {
        let encoder = makeEncoder()
        let t = 23
        let x = seededTensor([1, t, 6], seed: 42)
        var worst: Float = 0, runs = 0
        for chunkSize in [1, 3, 4, 7, 23, 30] {
            for left: Int? in [nil, 0, 1, 2] {
                for lookAhead in [0, 2] {
                    let config = ChunkConfig(chunkSize: chunkSize, leftChunks: left, lookAhead: lookAhead)
                    let whole = Tensor.withoutGrad { encoder(x, lengths: [t], chunk: config) }
                    for feed in [chunkSize, 5] {
                        let diff = maxAbsDifference(streamed(encoder, x, config, feed: feed).data, whole.data)
                        XCTAssertLessThan(diff, 1e-5, "chunk \(chunkSize), left \(String(describing: left)), look-ahead \(lookAhead), feed \(feed)")
                        worst = max(worst, diff)
                        runs += 1
                    }
                }
            }
        }
        let offline = Tensor.withoutGrad { encoder(x, lengths: [t]) }
        let chunked = Tensor.withoutGrad { encoder(x, lengths: [t], chunk: ChunkConfig(chunkSize: 4, leftChunks: 1)) }
        XCTAssertGreaterThan(maxAbsDifference(offline.data, chunked.data), 1e-2)   // the masks do change the result
        print("streaming vs whole-input: max abs diff \(worst) over \(runs) runs")
    }

    /// Latency: without look-ahead a full chunk comes out when it is fed; with look-ahead R each of the
    /// 3 layers waits for the chunk(s) holding its R look-ahead frames, so outputs lag by 3·⌈R / C⌉ chunks.
    func testStreamLatency() {
        let encoder = makeEncoder()
        let x = seededTensor([1, 16, 6], seed: 49)
        let now = encoder.stream(ChunkConfig(chunkSize: 4, leftChunks: 1))
        for k in 0..<4 { XCTAssertEqual(now(x.slice(axis: 1, (4 * k)..<(4 * k + 4)))?.shape, [1, 4, 16]) }
        XCTAssertNil(now.finish())
        let ahead = encoder.stream(ChunkConfig(chunkSize: 4, leftChunks: 1, lookAhead: 2))
        let out = (0..<4).map { k in ahead(x.slice(axis: 1, (4 * k)..<(4 * k + 4)))?.shape[1] ?? 0 }
        XCTAssertEqual(out, [0, 0, 0, 4])                                            // lag 3·⌈2 / 4⌉ = 3 chunks
        XCTAssertEqual(ahead.finish()?.shape, [1, 12, 16])
    }

    func testStreamResetStartsOver() {
        let encoder = makeEncoder(layers: 2)
        let x = seededTensor([1, 8, 6], seed: 43)
        let stream = encoder.stream(ChunkConfig(chunkSize: 4, leftChunks: 1))
        let first = stream(x.slice(axis: 1, 0..<4))!
        _ = stream(x.slice(axis: 1, 4..<8))
        stream.reset()
        XCTAssertEqual(stream.frames, 0)
        XCTAssertEqual(stream(x.slice(axis: 1, 0..<4))!.data, first.data)
    }

    /// The chunked mask actually limits context: a frame's output ignores input beyond its chunk and
    /// before its left context.
    func testChunkedOutputIgnoresFutureAndFarPast() {
        let encoder = makeEncoder(layers: 2)
        let config = ChunkConfig(chunkSize: 3, leftChunks: 1)
        let x = seededTensor([1, 12, 6], seed: 44)
        var changed = x.data
        for i in (9 * 6)..<(12 * 6) { changed[i] += 5 }                                  // chunk 3 (frames 9...11)
        let y = Tensor.withoutGrad { encoder(x, lengths: [12], chunk: config) }
        let yFuture = Tensor.withoutGrad { encoder(Tensor(shape: x.shape, data: changed), lengths: [12], chunk: config) }
        XCTAssertEqual(Array(y.data[..<(9 * 16)]), Array(yFuture.data[..<(9 * 16)]))     // frames 0...8 unchanged
        XCTAssertNotEqual(Array(y.data[(9 * 16)...]), Array(yFuture.data[(9 * 16)...]))
        // Left context is per layer, so 2 layers × 1 left chunk reach back 2 chunks: frame 9 ignores chunk 0.
        var past = x.data
        for i in 0..<(3 * 6) { past[i] -= 5 }
        let yPast = Tensor.withoutGrad { encoder(Tensor(shape: x.shape, data: past), lengths: [12], chunk: config) }
        XCTAssertEqual(Array(y.data[(9 * 16)...]), Array(yPast.data[(9 * 16)...]))
    }

    func testChunkMaskPattern() throws {
        let m = ChunkConfig(chunkSize: 2, leftChunks: 1).mask(lengths: [5], frames: 6)
        XCTAssertEqual(m.shape, [1, 1, 6, 6])
        let rows = (0..<6).map { i in (0..<6).map { j in m.data[i * 6 + j] == 0 ? "." : "x" }.joined() }
        XCTAssertEqual(rows, ["..xxxx", "..xxxx", "....xx", "....xx", "xx...x", "xx...x"])
        let ahead = ChunkConfig(chunkSize: 2, leftChunks: 0, lookAhead: 1).mask(lengths: [6], frames: 6)
        let aheadRows = (0..<6).map { i in (0..<6).map { j in ahead.data[i * 6 + j] == 0 ? "." : "x" }.joined() }
        XCTAssertEqual(aheadRows, ["...xxx", "...xxx", "xx...x", "xx...x", "xxxx..", "xxxx.."])
        let config = ChunkConfig(chunkSize: 3, leftChunks: 2, lookAhead: 1)
        XCTAssertEqual(try JSONDecoder().decode(ChunkConfig.self, from: JSONEncoder().encode(config)), config)
        XCTAssertEqual(try JSONDecoder().decode(ChunkConfig.self, from: Data(#"{"chunk_size": 4}"#.utf8)), ChunkConfig(chunkSize: 4))
        let unbounded = ChunkConfig(chunkSize: 4).mask(lengths: [6], frames: 6)
        XCTAssertEqual(Array(unbounded.data[30..<36]), [0, 0, 0, 0, 0, 0])
    }

    func testPositionsOffsetAndValues() {
        let whole = PositionalEncoding.sinusoidal(length: 10, dim: 6)
        let tail = PositionalEncoding.sinusoidal(length: 4, dim: 6, offset: 6)
        XCTAssertEqual(Array(whole.data[36...]), tail.data)
        XCTAssertEqual(Array(whole.data[0..<6]), [0, 1, 0, 1, 0, 1])
        XCTAssertEqual(whole.data[6 * 3 + 0], Float(Foundation.sin(3.0)), accuracy: 1e-7)
        XCTAssertEqual(whole.data[6 * 3 + 3], Float(Foundation.cos(3.0 / Foundation.pow(10000, 2.0 / 6))), accuracy: 1e-7)
    }

    /// A padded batch of two with different lengths: each row's valid frames equal running it alone,
    /// offline and chunked; and values in padded frames do not reach valid outputs.
    func testPaddedBatchRowsEqualRunningAlone() {
        let encoder = makeEncoder()
        let lengths = [11, 7]
        let x = seededTensor([2, 11, 6], seed: 45)
        for chunk: ChunkConfig? in [nil, ChunkConfig(chunkSize: 3, leftChunks: 1)] {
            Tensor.withoutGrad {
                let batch = encoder(x, lengths: lengths, chunk: chunk)
                for b in 0..<2 {
                    let alone = encoder(x.slice(axis: 0, b..<(b + 1)).slice(axis: 1, 0..<lengths[b]), lengths: [lengths[b]], chunk: chunk)
                    let row = batch.slice(axis: 0, b..<(b + 1)).slice(axis: 1, 0..<lengths[b])
                    XCTAssertLessThan(maxAbsDifference(row.data, alone.data), 1e-5, "row \(b), chunk \(String(describing: chunk))")
                }
                var noisy = x.data
                for i in (11 * 6 + 7 * 6)..<(2 * 11 * 6) { noisy[i] = 100 }
                let batchNoisy = encoder(Tensor(shape: x.shape, data: noisy), lengths: lengths, chunk: chunk)
                XCTAssertLessThan(maxAbsDifference(Array(batchNoisy.data[(11 * 16)..<(11 * 16 + 7 * 16)]),
                                             Array(batch.data[(11 * 16)..<(11 * 16 + 7 * 16)])), 1e-6)
            }
        }
    }

    /// TransformerEncoderLayer with PyTorch's weights (Tests/TensorTests/Goldens/torch_transformer_layer:
    /// nn.TransformerEncoderLayer(16, 2, 32, norm_first=True), lengths [5, 3]) gives PyTorch's output and
    /// gradients within 1e-4 · max(1, max |PyTorch|), the tolerance of the Tensor goldens.
    func testEncoderLayerMatchesPyTorch() throws {
        let g = try Safetensors.read(TestPaths.repo("Tests/TensorTests/Goldens/torch_transformer_layer.safetensors")).tensors
        var rng = RNG(seed: 50)
        let layer = TransformerEncoderLayer(dim: 16, heads: 2, feedForward: 32, rng: &rng)
        XCTAssertEqual(Set(layer.namedParameters.map { "param.\($0.0)" }), Set(g.keys.filter { $0.hasPrefix("param.") }))
        for (name, t) in layer.namedParameters { t.data = g["param.\(name)"]!.data; t.zeroGrad() }
        let x = Tensor(shape: g["input.x"]!.shape, data: g["input.x"]!.data, requiresGrad: true)
        let lengths = g["input.lengths"]!.data.map { Int($0) }
        let y = layer(x, mask: AttentionMask.padding(lengths: lengths, frames: x.shape[1]))
        func agrees(_ got: [Float]?, _ key: String) {
            let want = g[key]!.data, scale = max(1, want.map { abs($0) }.max()!)
            XCTAssertLessThanOrEqual(maxAbsDifference(got ?? [], want), 1e-4 * scale, key)
        }
        agrees(y.data, "output.y")
        y.backward(seed: g["grad_output.y"]!.data)
        agrees(x.grad, "grad.input.x")
        for (name, t) in layer.namedParameters { agrees(t.grad, "grad.param.\(name)") }
    }

    func testReferenceSizeAndNames() {
        var rng = RNG(seed: 46)
        let encoder = TransformerEncoder(inputDim: 640, rng: &rng)   // 256, 4 heads, FF 1024, 6 layers
        XCTAssertEqual(encoder.parameterCount, 4_903_168)           // the reference's 7,244,724 minus front end and speller
        let names = encoder.namedParameters.map(\.0)
        XCTAssertEqual(names.first, "input.weight")
        XCTAssertTrue(names.contains("layers.5.self_attn.query.weight"))
        XCTAssertTrue(names.contains("layers.0.ff2.bias"))
        XCTAssertEqual(names.last, "norm.bias")
        XCTAssertEqual(Set(names).count, names.count)
    }

    func testTrainingForwardWithDropoutIsSeededAndDifferentiable() {
        var rng = RNG(seed: 47)
        let encoder = TransformerEncoder(inputDim: 6, dim: 8, heads: 2, feedForward: 16, layers: 2, dropout: 0.1, rng: &rng)
        let x = seededTensor([2, 5, 6], seed: 48)
        var r1 = RNG(seed: 5), r2 = RNG(seed: 5)
        let a = encoder.forward(x, lengths: [5, 3], rng: &r1), b = encoder.forward(x, lengths: [5, 3], rng: &r2)
        XCTAssertEqual(a.data, b.data)
        let inference = Tensor.withoutGrad { encoder(x, lengths: [5, 3]) }
        XCTAssertNotEqual(a.data, inference.data)
        a.sum().backward()
        XCTAssertNotNil(encoder.inputProj.weight.grad)
        XCTAssertFalse(encoder.inputProj.weight.grad!.contains { $0.isNaN })
    }
}
