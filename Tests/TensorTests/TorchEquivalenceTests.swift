// Equivalence with PyTorch: outputs and gradients of Tensor's ops, composed the way NN's layers use them,
// against goldens made by scripts/golden-torch (PyTorch 2.13 in float64, stored as float32; see
// Goldens/README.md). Not a test of NN's layer classes: TensorTests sees only Tensor, so each case writes the
// layer's math with Tensor ops; the goldens name weights as NN does, for NN's own tests to reuse.
import Foundation
import XCTest
import Tensor
import TestSupport

/// A golden file: inputs ("input.*"), weights ("param.*"), outputs ("output.*"), the seed gradient of
/// non-scalar outputs ("grad_output.*") and PyTorch's gradients ("grad.input.*", "grad.param.*").
struct TorchGolden {
    let name: String
    let tensors: [String: Tensor]

    init(_ name: String) throws {
        self.name = name
        tensors = try Safetensors.read(TestPaths.repo("Tests/TensorTests/Goldens/torch_\(name).safetensors")).tensors
    }

    /// A fresh copy of a stored tensor, recording gradients when `grad`.
    func tensor(_ key: String, grad: Bool = false) -> Tensor {
        guard let t = tensors[key] else { fatalError("golden \(name): no tensor \(key) (have \(tensors.keys.sorted()))") }
        return Tensor(shape: t.shape, data: t.data, requiresGrad: grad)
    }

    /// Integers stored as F32 (lengths, targets).
    func ints(_ key: String) -> [Int] { tensor(key).data.map { Int($0.rounded()) } }

    /// Checks `got` against the stored `key` with the file's tolerance (see `torchTolerance`).
    func assertAgrees(_ got: [Float]?, _ key: String, file: StaticString = #filePath, line: UInt = #line) {
        let want = tensor(key)
        guard let got else { return XCTFail("\(name) \(key): Scribe computed no gradient", file: file, line: line) }
        XCTAssertEqual(got.count, want.count, "\(name) \(key): value count", file: file, line: line)
        guard got.count == want.count else { return }
        let scale = max(1, want.data.map { abs($0) }.max() ?? 0)
        var worst = (err: Float(0), index: 0)
        for i in 0..<got.count {
            let err = abs(got[i] - want.data[i])
            if err > worst.err || err.isNaN { worst = (err, i) }
        }
        XCTAssertTrue(worst.err <= torchTolerance * scale,
                      "\(name) \(key): |Scribe − PyTorch| = \(worst.err) at \(worst.index) (Scribe \(got[worst.index]), PyTorch \(want.data[worst.index])) > \(torchTolerance) · \(scale)",
                      file: file, line: line)
    }
}

/// Element i of Scribe's result a agrees with PyTorch's b when |a_i − b_i| ≤ 1e-4 · max(1, max_j |b_j|):
/// relative to the largest magnitude in the tensor, absolute 1e-4 for tensors of values below 1.
let torchTolerance: Float = 1e-4

final class TorchEquivalenceTests: XCTestCase {
    func testBidirectionalLSTMWithPaddedLengths() throws {
        let g = try TorchGolden("bilstm")
        let x = g.tensor("input.x", grad: true)                                         // [B, T, F]
        let lengths = g.ints("input.lengths")
        let params = ["w_ih", "w_hh", "bias"].flatMap { p in ["fwd", "bwd"].map { "\($0).\(p)" } }
        let w = Dictionary(uniqueKeysWithValues: params.map { ($0, g.tensor("param.\($0)", grad: true)) })
        let fwd = Tensor.lstm(x, wIH: w["fwd.w_ih"]!, wHH: w["fwd.w_hh"]!, bias: w["fwd.bias"]!, lengths: lengths)
        let bwd = Tensor.lstm(x, wIH: w["bwd.w_ih"]!, wHH: w["bwd.w_hh"]!, bias: w["bwd.bias"]!, lengths: lengths,
                              reverse: true)
        let y = Tensor.concat([fwd.output, bwd.output], axis: 2)                        // [B, T, 2H]
        g.assertAgrees(y.data, "output.y")
        g.assertAgrees(fwd.h.data, "output.h_fwd")
        g.assertAgrees(bwd.h.data, "output.h_bwd")
        g.assertAgrees(fwd.c.data, "output.c_fwd")
        g.assertAgrees(bwd.c.data, "output.c_bwd")
        y.backward(seed: g.tensor("grad_output.y").data)
        g.assertAgrees(x.grad, "grad.input.x")
        for p in params { g.assertAgrees(w[p]!.grad, "grad.param.\(p)") }
    }

    func testLocationAwareAttentionStep() throws {
        let g = try TorchGolden("location_attention")
        let s = g.tensor("input.s", grad: true)                                         // [B, Q]
        let h = g.tensor("input.h", grad: true)                                         // [B, T, E]
        let prev = g.tensor("input.alpha_prev", grad: true)                             // [B, T]
        let lengths = g.ints("input.lengths")
        let names = ["query.weight", "value.weight", "value.bias", "score.weight", "location.conv", "location.proj.weight"]
        let p = Dictionary(uniqueKeysWithValues: names.map { ($0, g.tensor("param.\($0)", grad: true)) })
        let (b, t, e) = (h.shape[0], h.shape[1], h.shape[2])
        let a = p["value.bias"]!.count, kernel = p["location.conv"]!.shape[2]
        var mask = [Float](repeating: 0, count: b * t)                                  // 1 at padded frames
        for i in 0..<b { for j in lengths[i]..<t { mask[i * t + j] = 1 } }

        let f = Tensor.conv1d(prev.reshaped([b, 1, t]), weight: p["location.conv"]!, padding: kernel / 2)  // [B, NF, T]
        let energy = Tensor.matmul(s, p["query.weight"]!, transposeB: true).reshaped([b, 1, a])            // [B, 1, A]
            + (Tensor.matmul(h, p["value.weight"]!, transposeB: true) + p["value.bias"]!)                 // [B, T, A]
            + Tensor.matmul(f.transpose(1, 2), p["location.proj.weight"]!, transposeB: true)              // [B, T, A]
        let scores = Tensor.matmul(energy.tanh(), p["score.weight"]!, transposeB: true).reshaped([b, t])  // [B, T]
        let alpha = scores.maskedFill(Tensor(shape: [b, t], data: mask), value: -1e9).softmax()          // [B, T]
        let context = Tensor.matmul(alpha.reshaped([b, 1, t]), h).reshaped([b, e])                        // [B, E]
        g.assertAgrees(context.data, "output.context")
        g.assertAgrees(alpha.data, "output.alpha")

        let loss = (context * g.tensor("grad_output.context")).sum() + (alpha * g.tensor("grad_output.alpha")).sum()
        loss.backward()
        g.assertAgrees(s.grad, "grad.input.s")
        g.assertAgrees(h.grad, "grad.input.h")
        g.assertAgrees(prev.grad, "grad.input.alpha_prev")
        for n in names { g.assertAgrees(p[n]!.grad, "grad.param.\(n)") }
    }

    func testPreLNTransformerEncoderLayer() throws {
        let g = try TorchGolden("transformer_layer")
        let x = g.tensor("input.x", grad: true)                                         // [B, T, D]
        let lengths = g.ints("input.lengths")
        let heads = 2
        let names = g.tensors.keys.filter { $0.hasPrefix("param.") }.map { String($0.dropFirst(6)) }.sorted()
        let p = Dictionary(uniqueKeysWithValues: names.map { ($0, g.tensor("param.\($0)", grad: true)) })
        let (b, t, d) = (x.shape[0], x.shape[1], x.shape[2]), hd = d / heads
        func linear(_ v: Tensor, _ n: String) -> Tensor { Tensor.matmul(v, p["\(n).weight"]!, transposeB: true) + p["\(n).bias"]! }
        func norm(_ v: Tensor, _ n: String) -> Tensor { Tensor.layerNorm(v, gamma: p["\(n).weight"]!, beta: p["\(n).bias"]!) }
        func split(_ v: Tensor) -> Tensor { v.reshaped([b, t, heads, hd]).permuted([0, 2, 1, 3]) }   // [B, H, T, d]
        var keyMask = [Float](repeating: 0, count: b * t)                               // [B, 1, 1, T], 1 = padded key
        for i in 0..<b { for j in lengths[i]..<t { keyMask[i * t + j] = 1 } }

        let n1 = norm(x, "norm1")
        let q = split(linear(n1, "self_attn.query")).scaled(1 / Float(hd).squareRoot())
        let k = split(linear(n1, "self_attn.key")), v = split(linear(n1, "self_attn.value"))
        let weights = Tensor.matmul(q, k, transposeB: true)                             // [B, H, T, T]
            .maskedFill(Tensor(shape: [b, 1, 1, t], data: keyMask), value: -1e9).softmax()
        let context = Tensor.matmul(weights, v).permuted([0, 2, 1, 3]).reshaped([b, t, d])
        let a = x + linear(context, "self_attn.out")                                    // [B, T, D]
        let y = a + linear(linear(norm(a, "norm2"), "ff1").relu(), "ff2")               // [B, T, D]
        g.assertAgrees(y.data, "output.y")
        y.backward(seed: g.tensor("grad_output.y").data)
        g.assertAgrees(x.grad, "grad.input.x")
        XCTAssertEqual(names.count, 16)
        for n in names { g.assertAgrees(p[n]!.grad, "grad.param.\(n)") }
    }

    func testLabelSmoothedCrossEntropyIgnoringPadding() throws {
        let g = try TorchGolden("cross_entropy")
        let logits = g.tensor("input.logits", grad: true)                               // [B, U, V]
        let loss = Tensor.crossEntropy(logits: logits, targets: g.ints("input.targets"), ignoreIndex: 0,
                                       labelSmoothing: 0.1)
        g.assertAgrees(loss.data, "output.loss")
        loss.backward()
        g.assertAgrees(logits.grad, "grad.input.logits")
    }

    /// PyTorch's reduction 'mean' divides each utterance's loss by its target length, then averages over
    /// the batch: Scribe's `.meanPerTarget`. zero_infinity is off on both sides (every target fits here).
    func testCTCLossMatchesPyTorchReductions() throws {
        let g = try TorchGolden("ctc")
        let logits = g.tensor("input.logits", grad: true)                               // [B, T, V]
        let padded = g.ints("input.targets"), lengths = g.ints("input.target_lengths")
        let width = padded.count / lengths.count
        let targets = lengths.enumerated().map { i, n in Array(padded[(i * width)..<(i * width + n)]) }
        let inputLengths = g.ints("input.input_lengths")
        let loss = Tensor.ctcLoss(logits: logits, inputLengths: inputLengths, targets: targets, blank: 0,
                                  reduction: .meanPerTarget, zeroInfinity: false)
        g.assertAgrees(loss.data, "output.loss_mean")
        loss.backward()
        g.assertAgrees(logits.grad, "grad.input.logits")
        let sum = Tensor.withoutGrad {
            Tensor.ctcLoss(logits: logits, inputLengths: inputLengths, targets: targets, reduction: .sum, zeroInfinity: false)
        }
        g.assertAgrees(sum.data, "output.loss_sum")
    }
}

/// No-grad mode is per thread: decoding without the tape on one thread leaves another thread recording.
final class GradModeThreadTests: XCTestCase {
    func testNoGradOnOneThreadLeavesAnotherRecording() {
        let entered = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var otherRecorded = true
        Thread.detachNewThread {
            Tensor.withoutGrad {
                entered.signal()
                release.wait()
                otherRecorded = (Tensor([1, 2], requiresGrad: true) * 2).requiresGrad
            }
            done.signal()
        }
        entered.wait()
        XCTAssertTrue(GradMode.isEnabled, "another thread's withoutGrad switched this thread's tape off")
        XCTAssertTrue((Tensor([1, 2], requiresGrad: true) * 2).requiresGrad)
        release.signal()
        done.wait()
        XCTAssertFalse(otherRecorded, "withoutGrad did not switch its own thread's tape off")
        XCTAssertTrue(GradMode.isEnabled)
    }
}
