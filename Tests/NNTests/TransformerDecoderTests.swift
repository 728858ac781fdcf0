// The Transformer decoder: step-by-step decoding reproduces the teacher-forced log-probs, beam reordering
// and expansion, cross-attention weights, batch-of-one consistency and parameter names.
import XCTest
import Tensor
import TestSupport
@testable import NN

final class TransformerDecoderTests: XCTestCase {
    let vocabulary = 9, dim = 16

    func makeDecoder(seed: UInt64 = 61) -> TransformerDecoder {
        var rng = RNG(seed: seed)
        return TransformerDecoder(vocabulary: vocabulary, dim: dim, heads: 4, feedForward: 24, layers: 3, rng: &rng)
    }

    /// Teacher-forced log-probs [B, U, V] of `tokens` (row-major [B, U]).
    func teacherForced(_ decoder: TransformerDecoder, _ tokens: [Int], _ shape: [Int], _ memory: Tensor, _ lengths: [Int]) -> Tensor {
        Tensor.withoutGrad { decoder(tokens: tokens, shape: shape, memory: memory, memoryLengths: lengths).logSoftmax() }
    }

    /// MUST-SHOW: stepping token by token reproduces the teacher-forced log-softmax within 1e-5
    /// (B = 2, memory lengths 7 and 4 of T = 7, U = 6).
    func testStepByStepEqualsTeacherForced() {
        let decoder = makeDecoder()
        let memory = seededTensor([2, 7, dim], seed: 62), lengths = [7, 4]
        let tokens = [1, 4, 8, 2, 5, 5,
                      1, 3, 3, 7, 6, 2]
        let (b, u) = (2, 6)
        let full = teacherForced(decoder, tokens, [b, u], memory, lengths)            // [B, U, V]
        var state = decoder.initialState(memory: memory, memoryLengths: lengths)
        var worst: Float = 0
        Tensor.withoutGrad {
            for i in 0..<u {
                let r = decoder.step(previousTokens: (0..<b).map { tokens[$0 * u + i] }, state: state)
                state = r.state
                XCTAssertEqual(r.logProbs.shape, [b, vocabulary])
                XCTAssertEqual(r.attention.shape, [b, 7])
                let expected = full.slice(axis: 1, i..<(i + 1)).reshaped([b, vocabulary])
                let diff = maxAbsDifference(r.logProbs.data, expected.data)
                XCTAssertLessThan(diff, 1e-5, "step \(i)")
                worst = max(worst, diff)
                // Cross-attention: a distribution over each utterance's unpadded frames.
                for (row, len) in lengths.enumerated() {
                    let a = Array(r.attention.data[(row * 7)..<(row * 7 + 7)])
                    XCTAssertEqual(a[..<len].reduce(0, +), 1, accuracy: 1e-5)
                    XCTAssertEqual(a[len...].reduce(0, +), 0)
                }
            }
        }
        XCTAssertEqual(state.position, u)
        print("step-by-step vs teacher-forced log-probs: max abs diff \(worst)")
    }

    /// Beam-style use: expand one utterance to 3 hypotheses, reorder them, and check each hypothesis's
    /// log-probs against teacher forcing of its own token history; then reorder across utterances.
    func testReorderFollowsHypotheses() {
        let decoder = makeDecoder(seed: 63)
        let memory = seededTensor([2, 5, dim], seed: 64), lengths = [5, 3]
        Tensor.withoutGrad {
            var state = decoder.initialState(memory: memory.slice(axis: 0, 0..<1), memoryLengths: [5])
            state = decoder.step(previousTokens: [1], state: state).state
            state = decoder.reorder(state, indices: [0, 0, 0])                         // expand to a beam of 3
            XCTAssertEqual(state.memoryRows, [0, 0, 0])
            let three = decoder.initialState(memory: memory, memoryLengths: lengths, hypotheses: 3)
            XCTAssertEqual(three.memoryRows, [0, 0, 0, 1, 1, 1])
            var histories = [[1, 2], [1, 3], [1, 4]]
            state = decoder.step(previousTokens: [2, 3, 4], state: state).state
            state = decoder.reorder(state, indices: [2, 0, 2])                         // no memory copy needed
            histories = [histories[2], histories[0], histories[2]]
            histories = zip(histories, [5, 6, 7]).map { $0 + [$1] }
            let r = decoder.step(previousTokens: [5, 6, 7], state: state)
            let memory3 = memory.slice(axis: 0, 0..<1).indexSelect([0, 0, 0], axis: 0)
            let full = teacherForced(decoder, histories.flatMap { $0 }, [3, 3], memory3, [5, 5, 5])
            let last = full.slice(axis: 1, 2..<3).reshaped([3, vocabulary])
            XCTAssertLessThan(maxAbsDifference(r.logProbs.data, last.data), 1e-5)

            // Two utterances, hypotheses swapped and duplicated across them.
            var s2 = decoder.initialState(memory: memory, memoryLengths: lengths)
            s2 = decoder.step(previousTokens: [1, 1], state: s2).state
            s2 = decoder.reorder(s2, indices: [1, 0, 1])
            XCTAssertEqual(s2.memoryRows, [1, 0, 1])
            let r2 = decoder.step(previousTokens: [3, 4, 8], state: s2)
            let swapped = memory.indexSelect([1, 0, 1], axis: 0)
            let full2 = teacherForced(decoder, [1, 3, 1, 4, 1, 8], [3, 2], swapped, [3, 5, 3])
            XCTAssertLessThan(maxAbsDifference(r2.logProbs.data, full2.slice(axis: 1, 1..<2).reshaped([3, vocabulary]).data), 1e-5)
        }
    }

    /// A padded batch of two (memory lengths 6 and 2): each row equals running it alone.
    func testPaddedBatchRowsEqualRunningAlone() {
        let decoder = makeDecoder(seed: 65)
        let memory = seededTensor([2, 6, dim], seed: 66), lengths = [6, 2]
        let tokens = [1, 2, 3, 4, 1, 5, 6, 7]
        let batch = teacherForced(decoder, tokens, [2, 4], memory, lengths)
        for b in 0..<2 {
            let alone = teacherForced(decoder, Array(tokens[(b * 4)..<(b * 4 + 4)]), [1, 4],
                                      memory.slice(axis: 0, b..<(b + 1)).slice(axis: 1, 0..<lengths[b]), [lengths[b]])
            XCTAssertLessThan(maxAbsDifference(batch.slice(axis: 0, b..<(b + 1)).data, alone.data), 1e-5, "row \(b)")
        }
    }

    func testNamesAndTrainingForward() {
        var rng = RNG(seed: 67)
        let decoder = TransformerDecoder(vocabulary: 30, dim: 8, heads: 2, feedForward: 16, layers: 2, dropout: 0.1, rng: &rng)
        let names = decoder.namedParameters.map(\.0)
        XCTAssertEqual(names.first, "embedding.weight")
        XCTAssertTrue(names.contains("layers.1.cross_attn.value.bias"))
        XCTAssertTrue(names.contains("layers.0.norm3.weight"))
        XCTAssertEqual(names.last, "output.bias")
        XCTAssertEqual(Set(names).count, names.count)
        let memory = seededTensor([1, 4, 8], seed: 68)
        var r = RNG(seed: 3)
        let logits = decoder.forward(tokens: [1, 5, 9], shape: [1, 3], memory: memory, memoryLengths: [4], rng: &r)
        XCTAssertEqual(logits.shape, [1, 3, 30])
        Tensor.crossEntropy(logits: logits.reshaped([3, 30]), targets: [5, 9, 1]).backward()
        XCTAssertFalse(decoder.embedding.table.grad!.contains { $0.isNaN })
    }
}
