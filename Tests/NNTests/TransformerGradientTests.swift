// Gradient checks (central differences, TestSupport's GradientCheck) of the Transformer pieces at tiny sizes
// (D = 8, H = 2, T = 5), plus the small helpers the Transformer and attention tests share.
import XCTest
import Tensor
import TestSupport
@testable import NN

/// Checks d(Σ f()·R)/d(input) for every input (R fixed random weights) against central differences with
/// eps = 1e-2 in Float32; element passes when |analytic − numeric| ≤ atol + rtol·|numeric|.
func checkTransformerGradients(_ inputs: [(String, Tensor)], eps: Float = 1e-2, atol: Double = 3e-3, rtol: Double = 3e-2,
                               file: StaticString = #filePath, line: UInt = #line, _ f: () -> Tensor) {
    for (_, t) in inputs { t.requiresGrad = true; t.zeroGrad() }
    let out = f()
    var rng = RNG(seed: 99)
    let weights = (0..<out.count).map { _ in rng.uniform(-1, 1) }
    out.backward(seed: weights)
    for (name, t) in inputs {
        let analytic = t.grad ?? [Float](repeating: 0, count: t.count)
        let saved = t.data
        let numeric = GradientCheck.numericalGradient(of: { (x: [Float]) -> Double in
            t.data = x
            let y = Tensor.withoutGrad { f() }
            var s = 0.0
            for i in 0..<y.count { s += Double(y.data[i]) * Double(weights[i]) }
            return s
        }, at: saved, eps: eps)
        t.data = saved
        let c = GradientCheck.compare(analytic: analytic, numeric: numeric, atol: atol, rtol: rtol)
        XCTAssertTrue(c.passed, "\(name) (shape \(t.shape)): \(c)", file: file, line: line)
    }
}

/// Central differences are wrong where a perturbation crosses a ReLU kink, so the gradient checks move every
/// feed-forward pre-activation away from 0: hidden biases alternate +4 / −4 (half the units linear, half dead).
func moveAwayFromReLUKinks(_ layers: [Linear]) {
    for l in layers { l.bias!.data = (0..<l.outFeatures).map { $0 % 2 == 0 ? 4 : -4 } }
}

/// max |a − b| over two equal-length arrays (∞ when the counts differ or any value is NaN).
func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    var m: Float = 0
    for i in a.indices {
        let d = abs(a[i] - b[i])
        if d.isNaN { return .infinity }
        m = max(m, d)
    }
    return m
}

/// Uniform values in [-1, 1) from a fixed seed.
func uniformTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = RNG(seed: seed)
    return Tensor.uniform(shape, -1, 1, rng: &rng)
}

final class TransformerGradientTests: XCTestCase {
    func testMultiHeadAttentionGradients() {
        var rng = RNG(seed: 1)
        let mha = MultiHeadAttention(dim: 8, heads: 2, rng: &rng)
        let q = uniformTensor([2, 4, 8], seed: 2), kv = uniformTensor([2, 5, 8], seed: 3)
        let mask = AttentionMask.padding(lengths: [5, 3], frames: 5)
        checkTransformerGradients([("query", q), ("keyValue", kv)] + mha.namedParameters) {
            let r = mha(q, keyValue: kv, mask: mask)
            return Tensor.concat([r.output.reshaped([-1]), r.weights.reshaped([-1])], axis: 0)
        }
    }

    func testChunkMaskedSelfAttentionGradients() {
        var rng = RNG(seed: 13)
        let mha = MultiHeadAttention(dim: 8, heads: 2, rng: &rng)
        let x = uniformTensor([2, 5, 8], seed: 14)
        let mask = ChunkConfig(chunkSize: 2, leftChunks: 1).mask(lengths: [5, 4], frames: 5)
        checkTransformerGradients([("x", x)] + mha.namedParameters) { mha(x, keyValue: x, mask: mask).output }
    }

    func testSelfAttentionGradientWhenQueryIsKey() {
        var rng = RNG(seed: 4)
        let mha = MultiHeadAttention(dim: 8, heads: 2, rng: &rng)
        let x = uniformTensor([1, 5, 8], seed: 5)
        checkTransformerGradients([("x", x)]) { mha(x, keyValue: x, mask: AttentionMask.causal(5)).output }
    }

    func testEncoderLayerGradients() {
        var rng = RNG(seed: 6)
        let layer = TransformerEncoderLayer(dim: 8, heads: 2, feedForward: 16, rng: &rng)
        moveAwayFromReLUKinks([layer.feedForward.linear1])
        let x = uniformTensor([2, 5, 8], seed: 7)
        let mask = ChunkConfig(chunkSize: 2, leftChunks: 1).mask(lengths: [5, 4], frames: 5)
        checkTransformerGradients([("x", x)] + layer.namedParameters) { layer(x, mask: mask) }
    }

    func testDecoderLayerGradients() {
        var rng = RNG(seed: 8)
        let layer = TransformerDecoderLayer(dim: 8, heads: 2, feedForward: 16, rng: &rng)
        moveAwayFromReLUKinks([layer.feedForward.linear1])
        let x = uniformTensor([2, 4, 8], seed: 9), memory = uniformTensor([2, 5, 8], seed: 10)
        let memoryMask = AttentionMask.padding(lengths: [5, 3], frames: 5)
        checkTransformerGradients([("x", x), ("memory", memory)] + layer.namedParameters) {
            layer(x, memory: memory, selfMask: AttentionMask.causal(4), memoryMask: memoryMask).output
        }
    }

    func testWholeEncoderAndDecoderGradients() {
        var rng = RNG(seed: 11)
        let encoder = TransformerEncoder(inputDim: 6, dim: 8, heads: 2, feedForward: 16, layers: 2, rng: &rng)
        let decoder = TransformerDecoder(vocabulary: 7, dim: 8, heads: 2, feedForward: 16, layers: 2, rng: &rng)
        moveAwayFromReLUKinks(encoder.layers.map(\.feedForward.linear1) + decoder.layers.map(\.feedForward.linear1))
        let x = uniformTensor([2, 5, 6], seed: 12)
        let tokens = [1, 4, 5, 6, 1, 2, 3, 0]
        checkTransformerGradients([("x", x)] + scoped("encoder", encoder) + scoped("decoder", decoder)) {
            let memory = encoder(x, lengths: [5, 4], chunk: ChunkConfig(chunkSize: 2, leftChunks: 1, lookAhead: 1))
            return decoder(tokens: tokens, shape: [2, 4], memory: memory, memoryLengths: [5, 4]).logSoftmax()
        }
    }
}
