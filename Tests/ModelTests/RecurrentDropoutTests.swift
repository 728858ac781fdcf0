// Dropout in the BiLSTM encoder (between layers, in the offline and the shared-look-ahead streaming encoders) and in
// the LSTM speller (embedding and attention query / output input): on only when training asks for it, reproducible
// from its seed, absent after the last encoder layer, and on the tape (numerical gradient checks with fixed masks).
import XCTest
@testable import Model
import Features
import NN
import Tensor
import TestSupport

final class RecurrentDropoutTests: XCTestCase {
    private let shared = ChunkSpec(chunk: 3, lookahead: 2, mode: .shared)

    private func model(layers: Int = 2, encoder: Float = 0, decoder: Float = 0) -> SpeechRecognizer {
        var c = tinyConfig()
        c.encoder.layers = layers
        c.encoder.dropout = encoder
        c.decoder.dropout = decoder
        return SpeechRecognizer(config: c)
    }

    private func encode(_ m: SpeechRecognizer, _ x: Tensor, _ l: [Int], streaming: ChunkSpec?, seed: UInt64?) -> Tensor {
        guard let seed else { return m.encode(x, lengths: l, streaming: streaming).values }
        var rng = RNG(seed: seed)
        return withUnsafeMutablePointer(to: &rng) { m.encode(x, lengths: l, streaming: streaming, dropoutRNG: $0).values }
    }

    func testEncoderDropoutIsOnOnlyWhenTrainingAndReproducible() {
        let (x, l) = SpeechRecognizer.batch([randomFeatures(frames: 60, seed: 1), randomFeatures(frames: 41, seed: 2)])
        for streaming in [nil, shared] {
            Tensor.withoutGrad {
                let m = model(encoder: 0.4)
                let plain = encode(m, x, l, streaming: streaming, seed: nil).data
                let a = encode(m, x, l, streaming: streaming, seed: 5).data
                let b = encode(m, x, l, streaming: streaming, seed: 5).data
                let other = encode(m, x, l, streaming: streaming, seed: 6).data
                XCTAssertEqual(a, b, "\(String(describing: streaming)): same seed, same masks")
                XCTAssertGreaterThan(maxAbsDifference(a, plain), 1e-3, "\(String(describing: streaming)): dropout changed nothing")
                XCTAssertGreaterThan(maxAbsDifference(a, other), 1e-3, "\(String(describing: streaming)): seed ignored")
                // p = 0 with an RNG is the inference pass.
                let off = model(encoder: 0)
                XCTAssertEqual(encode(off, x, l, streaming: streaming, seed: 5).data, encode(off, x, l, streaming: streaming, seed: nil).data)
                // One layer: there is no layer boundary, so nothing is dropped (the output goes to the attention unchanged).
                let single = model(layers: 1, encoder: 0.4)
                XCTAssertEqual(encode(single, x, l, streaming: streaming, seed: 5).data, encode(single, x, l, streaming: streaming, seed: nil).data)
            }
        }
    }

    func testEncoderDropoutGradients() {
        let (x, l) = SpeechRecognizer.batch([randomFeatures(frames: 30, seed: 3), randomFeatures(frames: 22, seed: 4)])
        for streaming in [nil, shared] {
            let m = model(encoder: 0.3)
            // Layer 0's bias reaches the loss only through the dropped boundary; layer 1's recurrent weights after it.
            let inputs = [m.listener.layers[0].forward.bias, m.listener.layers[1].forward.wHH]
            for (k, c) in gradientComparisons(inputs, eps: 1e-2, atol: 3e-3, rtol: 3e-2, {
                encode(m, x, l, streaming: streaming, seed: 9)
            }).enumerated() {
                XCTAssertTrue(c.passed, "\(String(describing: streaming)) input \(k): \(c)")
            }
        }
    }

    private func decode(_ m: SpeechRecognizer, values: Tensor, lengths: [Int], seed: UInt64?) -> Tensor {
        let inputs = [[Vocabulary.sos, 5, 6, 7, 8], [Vocabulary.sos, 9, 10]]
        guard let seed else { return m.decodeTeacherForced(values: values, lengths: lengths, inputs: inputs) }
        var rng = RNG(seed: seed)
        return withUnsafeMutablePointer(to: &rng) { m.decodeTeacherForced(values: values, lengths: lengths, inputs: inputs, dropoutRNG: $0) }
    }

    func testSpellerDropout() {
        let m = model(decoder: 0.3)
        let values = seededTensor([2, 7, m.config.encoderOutputDim], seed: 12)
        let lengths = [7, 5]
        Tensor.withoutGrad {
            let plain = decode(m, values: values, lengths: lengths, seed: nil).data
            let a = decode(m, values: values, lengths: lengths, seed: 3).data
            XCTAssertEqual(a, decode(m, values: values, lengths: lengths, seed: 3).data)
            XCTAssertGreaterThan(maxAbsDifference(a, plain), 1e-3)
            let off = model(decoder: 0)
            XCTAssertEqual(decode(off, values: values, lengths: lengths, seed: 3).data, decode(off, values: values, lengths: lengths, seed: nil).data)
        }
        let embedding = m.speller!.embedding.table
        for (k, c) in gradientComparisons([values, embedding], eps: 1e-2, atol: 3e-3, rtol: 3e-2, {
            decode(m, values: values, lengths: lengths, seed: 4)
        }).enumerated() {
            XCTAssertTrue(c.passed, "input \(k): \(c)")
        }
    }
}
