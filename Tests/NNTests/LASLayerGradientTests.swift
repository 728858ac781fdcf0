// Gradient checks of the LAS layers at tiny sizes: conv subsampling, BiLSTM (offline and latency-controlled),
// and every attention kind for one decoder step (inputs and parameters). Tolerance: TestSupport's
// |a − n| ≤ 3e-3 + 3e-2·|n| with eps 1e-2 in Float32.
import NN
import Tensor
import TestSupport
import XCTest

final class LASLayerGradientTests: XCTestCase {
    func testConvSubsampling() {
        var rng = RNG(seed: 1)
        let conv = ConvSubsampling(inputDim: 8, channels: 2, rng: &rng)
        // Biases away from the ReLU kink so central differences are valid.
        conv.conv1b.data = [1.5, -1.5]; conv.conv2b.data = [2, 2]
        let x = seededTensor([2, 9, 8], -0.3, 0.3, seed: 2)
        assertGradients([("x", x)] + conv.namedParameters) { conv(x) }
        XCTAssertEqual(conv(x).shape, [2, 3, 2 * 2])
        XCTAssertEqual(ConvSubsampling.outputLength(9), 3)
        // Time reduction 2: the same weights, the second convolution stride 1 along time.
        let conv2 = ConvSubsampling(inputDim: 8, channels: 2, timeReduction: 2, rng: &rng)
        conv2.conv1b.data = [1.5, -1.5]; conv2.conv2b.data = [2, 2]
        assertGradients([("x", x)] + conv2.namedParameters) { conv2(x, lengths: [9, 6]) }
        XCTAssertEqual(conv2(x).shape, [2, 5, 2 * 2])
        XCTAssertEqual(ConvSubsampling.outputLength(9, timeReduction: 2), 5)
    }

    func testBiLSTMLayerOfflineAndChunked() {
        var rng = RNG(seed: 3)
        let layer = BiLSTMLayer(input: 3, hidden: 4, rng: &rng)
        let x = seededTensor([2, 7, 3], seed: 4)
        assertGradients([("x", x)] + layer.namedParameters) { layer(x, lengths: [7, 5]) }
        assertGradients([("x", x)] + layer.namedParameters) { layer(x, lengths: [7, 5], chunks: ChunkSpec(chunk: 3, lookahead: 1)) }
    }

    func testSharedLookaheadStack() {
        var rng = RNG(seed: 7)
        let layers = [BiLSTMLayer(input: 3, hidden: 3, rng: &rng), BiLSTMLayer(input: 6, hidden: 2, rng: &rng)]
        let x = seededTensor([2, 8, 3], seed: 8)
        let spec = ChunkSpec(chunk: 3, lookahead: 2, mode: .shared)
        assertGradients([("x", x)] + layers[0].namedParameters + layers[1].namedParameters) {
            SharedLookaheadBiLSTM.encode(layers, x, lengths: [8, 5], spec: spec)
        }
    }

    /// Shared look-ahead: a chunk's outputs depend on its window only, through every layer; layered chunking lets
    /// the second layer see past it.
    func testSharedLookaheadSeesOnlyItsWindowThroughAllLayers() {
        var rng = RNG(seed: 9)
        let layers = (0..<3).map { i in BiLSTMLayer(input: i == 0 ? 2 : 6, hidden: 3, rng: &rng) }
        let x = seededTensor([1, 12, 2], seed: 10)
        let y = Tensor(shape: x.shape, data: x.data)
        for i in (6 * 2)..<(12 * 2) { y.data[i] += 1 }                  // change frames 6...11
        for mode in StreamLookahead.allCases {
            let spec = ChunkSpec(chunk: 4, lookahead: 2, mode: mode)
            func run(_ t: Tensor) -> Tensor {
                Tensor.withoutGrad { mode == .shared ? SharedLookaheadBiLSTM.encode(layers, t, lengths: [12], spec: spec)
                                                     : layers.reduce(t) { h, l in l(h, lengths: [12], chunks: spec) } }
            }
            let a = run(x).data, b = run(y).data
            // Chunk 0 (frames 0...3, window to frame 5).
            let same = Array(a[0..<(4 * 6)]) == Array(b[0..<(4 * 6)])
            XCTAssertEqual(same, mode == .shared, "\(mode)")
        }
    }

    /// Chunked backward direction: frame t's output depends on frames up to the end of its chunk + look-ahead only.
    func testLatencyControlledBackwardSeesOnlyItsWindow() {
        var rng = RNG(seed: 5)
        let layer = BiLSTMLayer(input: 2, hidden: 3, rng: &rng)
        let x = seededTensor([1, 10, 2], seed: 6)
        let spec = ChunkSpec(chunk: 4, lookahead: 2)
        let a = Tensor.withoutGrad { layer(x, lengths: [10], chunks: spec) }
        let y = Tensor(shape: x.shape, data: x.data)
        for i in (7 * 2)..<(10 * 2) { y.data[i] += 1 }       // change frames 7...9
        let b = Tensor.withoutGrad { layer(y, lengths: [10], chunks: spec) }
        // Frames 0...3 (chunk 0, window up to frame 5) must not change; frame 4...7 (window to 9) may.
        XCTAssertEqual(Array(a.data[0..<(4 * 6)]), Array(b.data[0..<(4 * 6)]))
        XCTAssertNotEqual(Array(a.data[(4 * 6)..<(8 * 6)]), Array(b.data[(4 * 6)..<(8 * 6)]))
    }

    func testAttentionKinds() {
        for kind in AttentionKind.allCases {
            var rng = RNG(seed: 7)
            let att = makeAttention(kind, query: 5, value: 4, dim: 3, heads: 2, locationFilters: 2, locationKernel: 3, rng: &rng)
            let values = seededTensor([2, 6, 4], seed: 8)
            let query = seededTensor([2, 5], seed: 9)
            let previous = Tensor.withoutGrad { seededTensor([2, 6], 0, 1, seed: 10).softmax() }
            assertGradients([("values", values), ("query", query), ("previous", previous)] + att.namedParameters) {
                let memory = att.prepare(values, lengths: [6, 4])
                let (context, weights) = att.attend(query: query, memory: memory, previous: previous)
                return Tensor.concat([context, weights], axis: 1)
            }
            // Padded frames get no weight; weights sum to 1.
            let memory = att.prepare(values, lengths: [6, 4])
            let w = Tensor.withoutGrad { att.attend(query: query, memory: memory, previous: previous).weights }
            XCTAssertEqual(w.data[6 + 4], 0, accuracy: 1e-7, "\(kind)")
            XCTAssertEqual(w.data[6..<12].reduce(0, +), 1, accuracy: 1e-5, "\(kind)")
        }
    }
}
