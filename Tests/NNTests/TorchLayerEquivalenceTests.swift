// Equivalence of NN's layer classes with PyTorch: BiLSTMLayer and AdditiveAttention in location mode, loaded
// with the weights of the goldens made by scripts/golden-torch (Tests/TensorTests/Goldens, see its README),
// give PyTorch's outputs and gradients. TensorTests checks the same math written with Tensor ops; this checks
// the layers themselves (parameter names, layouts, wiring). The Transformer encoder layer's case is
// TransformerEncoderTests.testEncoderLayerMatchesPyTorch.
import NN
import Tensor
import TestSupport
import XCTest

final class TorchLayerEquivalenceTests: XCTestCase {
    /// Tensors of Goldens/torch_`name`.safetensors: "input.*", "param.*", "output.*", "grad_output.*", "grad.*".
    func golden(_ name: String) throws -> [String: Tensor] {
        try Safetensors.read(TestPaths.repo("Tests/TensorTests/Goldens/torch_\(name).safetensors")).tensors
    }

    /// Gives `layer` the golden's weights (every parameter must be there, and nothing else) with cleared gradients.
    func load(_ layer: Layer, from g: [String: Tensor], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(Set(layer.namedParameters.map { "param.\($0.0)" }), Set(g.keys.filter { $0.hasPrefix("param.") }),
                       file: file, line: line)
        for (name, t) in layer.namedParameters { t.data = g["param.\(name)"]!.data; t.zeroGrad() }
    }

    /// A leaf tensor from the golden, recording gradients.
    func leaf(_ g: [String: Tensor], _ key: String) -> Tensor { Tensor(shape: g[key]!.shape, data: g[key]!.data, requiresGrad: true) }

    /// |Scribe − PyTorch| ≤ 1e-4 · max(1, max |PyTorch|) elementwise (the goldens' tolerance).
    func assertAgrees(_ got: [Float]?, _ g: [String: Tensor], _ key: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let want = g[key]?.data else { return XCTFail("golden has no \(key)", file: file, line: line) }
        guard let got, got.count == want.count else { return XCTFail("\(key): no value or wrong count", file: file, line: line) }
        let scale = max(1, want.map { abs($0) }.max() ?? 0)
        let err = zip(got, want).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(err, 1e-4 * scale, "\(key): |Scribe − PyTorch| = \(err)", file: file, line: line)
    }

    /// nn.LSTM(4, 3, bidirectional=True) over a padded batch (lengths [5, 3, 1]): output and every gradient.
    func testBiLSTMLayerMatchesPyTorch() throws {
        let g = try golden("bilstm")
        var rng = RNG(seed: 1)
        let layer = BiLSTMLayer(input: 4, hidden: 3, rng: &rng)
        load(layer, from: g)
        let x = leaf(g, "input.x")                                                       // [B, T, 4]
        let y = layer(x, lengths: g["input.lengths"]!.data.map { Int($0) })            // [B, T, 6]
        assertAgrees(y.data, g, "output.y")
        y.backward(seed: g["grad_output.y"]!.data)
        assertAgrees(x.grad, g, "grad.input.x")
        for (name, t) in layer.namedParameters { assertAgrees(t.grad, g, "grad.param.\(name)") }
    }

    /// One location-aware attention step (3 filters, kernel 5; Q 5, E 4, A 6; lengths [7, 4]): context, α and
    /// the gradients of Σ c·R_c + Σ α·R_α with respect to the query, the values, α_prev and every weight.
    func testLocationAttentionMatchesPyTorch() throws {
        let g = try golden("location_attention")
        var rng = RNG(seed: 1)
        let attention = AdditiveAttention(query: 5, value: 4, dim: 6, location: (filters: 3, kernel: 5), rng: &rng)
        load(attention, from: g)
        let s = leaf(g, "input.s"), h = leaf(g, "input.h"), previous = leaf(g, "input.alpha_prev")  // [B, Q], [B, T, E], [B, T]
        let memory = attention.prepare(h, lengths: g["input.lengths"]!.data.map { Int($0) })
        let (context, alpha) = attention.attend(query: s, memory: memory, previous: previous)        // [B, E], [B, T]
        assertAgrees(context.data, g, "output.context")
        assertAgrees(alpha.data, g, "output.alpha")
        ((context * g["grad_output.context"]!).sum() + (alpha * g["grad_output.alpha"]!).sum()).backward()
        assertAgrees(s.grad, g, "grad.input.s")
        assertAgrees(h.grad, g, "grad.input.h")
        assertAgrees(previous.grad, g, "grad.input.alpha_prev")
        for (name, t) in attention.namedParameters { assertAgrees(t.grad, g, "grad.param.\(name)") }
    }
}
