// Gradient checks (central differences, TestSupport's assertGradients) of the Transformer pieces at tiny sizes
// (D = 8, H = 2, T = 5). Tolerance: |analytic − numeric| ≤ 3e-3 + 3e-2·|numeric| with eps = 1e-2 in Float32.
import XCTest
import Tensor
import TestSupport
@testable import NN

/// Central differences are wrong where a perturbation crosses a ReLU kink, so the gradient checks move every
/// feed-forward pre-activation away from 0: hidden biases alternate +4 / −4 (half the units linear, half dead).
func moveAwayFromReLUKinks(_ layers: [Linear]) {
    for l in layers { l.bias!.data = (0..<l.outFeatures).map { $0 % 2 == 0 ? 4 : -4 } }
}

final class TransformerGradientTests: XCTestCase {
    func testMultiHeadAttentionGradients() {
        var rng = RNG(seed: 1)
        let mha = MultiHeadAttention(dim: 8, heads: 2, rng: &rng)
        let q = seededTensor([2, 4, 8], seed: 2), kv = seededTensor([2, 5, 8], seed: 3)
        let mask = AttentionMask.padding(lengths: [5, 3], frames: 5)
        assertGradients([("query", q), ("keyValue", kv)] + mha.namedParameters) {
            let r = mha(q, keyValue: kv, mask: mask)
            return Tensor.concat([r.output.reshaped([-1]), r.weights.reshaped([-1])], axis: 0)
        }
    }

    func testChunkMaskedSelfAttentionGradients() {
        var rng = RNG(seed: 13)
        let mha = MultiHeadAttention(dim: 8, heads: 2, rng: &rng)
        let x = seededTensor([2, 5, 8], seed: 14)
        let mask = ChunkConfig(chunkSize: 2, leftChunks: 1).mask(lengths: [5, 4], frames: 5)
        assertGradients([("x", x)] + mha.namedParameters) { mha(x, keyValue: x, mask: mask).output }
    }

    func testSelfAttentionGradientWhenQueryIsKey() {
        var rng = RNG(seed: 4)
        let mha = MultiHeadAttention(dim: 8, heads: 2, rng: &rng)
        let x = seededTensor([1, 5, 8], seed: 5)
        assertGradients([("x", x)]) { mha(x, keyValue: x, mask: AttentionMask.causal(5)).output }
    }

    func testEncoderLayerGradients() {
        var rng = RNG(seed: 6)
        let layer = TransformerEncoderLayer(dim: 8, heads: 2, feedForward: 16, rng: &rng)
        moveAwayFromReLUKinks([layer.feedForward.linear1])
        let x = seededTensor([2, 5, 8], seed: 7)
        let mask = ChunkConfig(chunkSize: 2, leftChunks: 1).mask(lengths: [5, 4], frames: 5)
        assertGradients([("x", x)] + layer.namedParameters) { layer(x, mask: mask) }
    }

    func testDecoderLayerGradients() {
        var rng = RNG(seed: 8)
        let layer = TransformerDecoderLayer(dim: 8, heads: 2, feedForward: 16, rng: &rng)
        moveAwayFromReLUKinks([layer.feedForward.linear1])
        let x = seededTensor([2, 4, 8], seed: 9), memory = seededTensor([2, 5, 8], seed: 10)
        let memoryMask = AttentionMask.padding(lengths: [5, 3], frames: 5)
        assertGradients([("x", x), ("memory", memory)] + layer.namedParameters) {
            layer(x, memory: memory, selfMask: AttentionMask.causal(4), memoryMask: memoryMask).output
        }
    }

    func testWholeEncoderAndDecoderGradients() {
        var rng = RNG(seed: 11)
        let encoder = TransformerEncoder(inputDim: 6, dim: 8, heads: 2, feedForward: 16, layers: 2, rng: &rng)
        let decoder = TransformerDecoder(vocabulary: 7, dim: 8, heads: 2, feedForward: 16, layers: 2, rng: &rng)
        moveAwayFromReLUKinks(encoder.layers.map(\.feedForward.linear1) + decoder.layers.map(\.feedForward.linear1))
        let x = seededTensor([2, 5, 6], seed: 12)
        let tokens = [1, 4, 5, 6, 1, 2, 3, 0]
        assertGradients([("x", x)] + scoped("encoder", encoder) + scoped("decoder", decoder)) {
            let memory = encoder(x, lengths: [5, 4], chunk: ChunkConfig(chunkSize: 2, leftChunks: 1, lookAhead: 1))
            return decoder(tokens: tokens, shape: [2, 4], memory: memory, memoryLengths: [5, 4]).logSoftmax()
        }
    }
}
