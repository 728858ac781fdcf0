// MultiHeadAttention against a loop-by-loop reference, masking (padding, fully masked rows), the mask
// builders, and batch consistency (each row of a padded batch equals running it alone).
import XCTest
import Tensor
import TestSupport
@testable import NN

final class MultiHeadAttentionTests: XCTestCase {
    /// Scaled dot-product attention written out with loops over b, h, i, j from the projected q, k, v.
    func reference(_ mha: MultiHeadAttention, query: Tensor, keyValue: Tensor, lengths: [Int]) -> (out: [Float], weights: [Float]) {
        let (b, tq, tk, dm, h) = (query.shape[0], query.shape[1], keyValue.shape[1], mha.dim, mha.heads)
        let d = dm / h
        let q = mha.queryProj(query).data, k = mha.keyProj(keyValue).data, v = mha.valueProj(keyValue).data
        var context = [Float](repeating: 0, count: b * tq * dm), weights = [Float](repeating: 0, count: b * h * tq * tk)
        for bi in 0..<b { for hi in 0..<h { for i in 0..<tq {
            var scores = [Double](repeating: -.infinity, count: tk)
            for j in 0..<lengths[bi] {
                var s = 0.0
                for e in 0..<d { s += Double(q[(bi * tq + i) * dm + hi * d + e]) * Double(k[(bi * tk + j) * dm + hi * d + e]) }
                scores[j] = s / Double(d).squareRoot()
            }
            let m = scores.max()!
            let z = scores.reduce(0) { $0 + Foundation.exp($1 - m) }
            for j in 0..<lengths[bi] {
                let w = Foundation.exp(scores[j] - m) / z
                weights[((bi * h + hi) * tq + i) * tk + j] = Float(w)
                for e in 0..<d { context[(bi * tq + i) * dm + hi * d + e] += Float(w) * v[(bi * tk + j) * dm + hi * d + e] }
            }
        } } }
        let out = mha.outProj(Tensor(shape: [b, tq, dm], data: context)).data
        return (out, weights)
    }

    func testMatchesLoopReferenceWithPadding() {
        var rng = RNG(seed: 21)
        let mha = MultiHeadAttention(dim: 12, heads: 3, rng: &rng)
        let q = seededTensor([2, 4, 12], seed: 22), kv = seededTensor([2, 6, 12], seed: 23)
        let lengths = [6, 2]
        let r = Tensor.withoutGrad { mha(q, keyValue: kv, mask: AttentionMask.padding(lengths: lengths, frames: 6)) }
        XCTAssertEqual(r.output.shape, [2, 4, 12])
        XCTAssertEqual(r.weights.shape, [2, 3, 4, 6])
        let ref = reference(mha, query: q, keyValue: kv, lengths: lengths)
        XCTAssertLessThan(maxAbsDifference(r.output.data, ref.out), 1e-5)
        XCTAssertLessThan(maxAbsDifference(r.weights.data, ref.weights), 1e-6)
    }

    func testFullyMaskedRowGivesZeroWeightsNotNaN() {
        var rng = RNG(seed: 24)
        let mha = MultiHeadAttention(dim: 8, heads: 2, rng: &rng)
        let x = seededTensor([2, 3, 8], seed: 25)
        x.requiresGrad = true
        let r = mha(x, keyValue: x, mask: AttentionMask.padding(lengths: [3, 0], frames: 3))
        XCTAssertFalse(r.output.data.contains { $0.isNaN })
        XCTAssertEqual(Array(r.weights.data[(2 * 3 * 3)...]), [Float](repeating: 0, count: 2 * 3 * 3))
        // The empty row's output is the out-projection bias; the gradient stays finite.
        XCTAssertLessThan(maxAbsDifference(Array(r.output.data[24...]), Array(repeating: mha.outProj.bias!.data, count: 3).flatMap { $0 }), 1e-6)
        r.output.sum().backward()
        XCTAssertFalse(x.grad!.contains { $0.isNaN })
    }

    func testFullyMaskedRowDetection() {
        XCTAssertTrue(MultiHeadAttention.hasFullyMaskedRow(AttentionMask.padding(lengths: [3, 0], frames: 3)))
        XCTAssertFalse(MultiHeadAttention.hasFullyMaskedRow(AttentionMask.padding(lengths: [3, 1], frames: 3)))
        XCTAssertFalse(MultiHeadAttention.hasFullyMaskedRow(AttentionMask.causal(4)))
        // Chunk 1 (frames 2, 3) sees only itself, and both frames are padding.
        XCTAssertTrue(MultiHeadAttention.hasFullyMaskedRow(ChunkConfig(chunkSize: 2, leftChunks: 0).mask(lengths: [2], frames: 4)))
        XCTAssertFalse(MultiHeadAttention.hasFullyMaskedRow(ChunkConfig(chunkSize: 2, leftChunks: 1).mask(lengths: [2], frames: 4)))
    }

    func testCausalMaskHidesLaterKeys() {
        var rng = RNG(seed: 26)
        let mha = MultiHeadAttention(dim: 8, heads: 2, rng: &rng)
        let x = seededTensor([1, 4, 8], seed: 27)
        let r = Tensor.withoutGrad { mha(x, keyValue: x, mask: AttentionMask.causal(4)) }
        for h in 0..<2 { for i in 0..<4 {
            let row = Array(r.weights.data[((h * 4) + i) * 4..<((h * 4) + i + 1) * 4])
            XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-5)
            for j in (i + 1)..<4 { XCTAssertEqual(row[j], 0) }
        } }
        XCTAssertEqual(AttentionMask.causal(3).data, [0, 1, 1, 0, 0, 1, 0, 0, 0])
    }

    func testPaddedBatchRowsEqualRunningAlone() {
        var rng = RNG(seed: 28)
        let mha = MultiHeadAttention(dim: 8, heads: 2, rng: &rng)
        let q = seededTensor([2, 3, 8], seed: 29), kv = seededTensor([2, 5, 8], seed: 30)
        let lengths = [5, 3]
        Tensor.withoutGrad {
            let batch = mha(q, keyValue: kv, mask: AttentionMask.padding(lengths: lengths, frames: 5))
            for b in 0..<2 {
                let alone = mha(q.slice(axis: 0, b..<(b + 1)), keyValue: kv.slice(axis: 0, b..<(b + 1)).slice(axis: 1, 0..<lengths[b]))
                XCTAssertLessThan(maxAbsDifference(batch.output.slice(axis: 0, b..<(b + 1)).data, alone.output.data), 1e-5, "row \(b)")
                let w = batch.weights.slice(axis: 0, b..<(b + 1)).slice(axis: 3, 0..<lengths[b])
                XCTAssertLessThan(maxAbsDifference(w.data, alone.weights.data), 1e-6, "row \(b)")
            }
        }
    }

    func testPrecomputedKeysValuesEqualDirectCall() {
        var rng = RNG(seed: 31)
        let mha = MultiHeadAttention(dim: 8, heads: 4, rng: &rng)
        let q = seededTensor([1, 2, 8], seed: 32), kv = seededTensor([1, 5, 8], seed: 33)
        Tensor.withoutGrad {
            let (k, v) = mha.keysValues(kv)
            XCTAssertEqual(k.shape, [1, 4, 5, 2])
            let a = mha.attend(query: q, keys: k, values: v, mask: nil), b = mha(q, keyValue: kv)
            XCTAssertEqual(a.output.data, b.output.data)
        }
        XCTAssertEqual(mha.namedParameters.map(\.0),
                       ["query.weight", "query.bias", "key.weight", "key.bias", "value.weight", "value.bias", "out.weight", "out.bias"])
    }
}
