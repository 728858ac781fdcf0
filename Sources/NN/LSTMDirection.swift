// The weights of one LSTM direction (PyTorch layout and gate order i, f, g, o) and its forward call.
import Tensor

/// One LSTM direction: x [B, T, F] → [B, T, H]. W_ih [4H, F], W_hh [4H, H], bias [4H] (forget gate 1).
public final class LSTMDirection: Layer {
    public let wIH: Tensor, wHH: Tensor, bias: Tensor
    public let hidden: Int

    public init(input: Int, hidden: Int, rng: inout RNG) {
        self.hidden = hidden
        wIH = parameter(Initializer.lstmUniform([4 * hidden, input], hidden: hidden, rng: &rng))
        wHH = parameter(Initializer.lstmUniform([4 * hidden, hidden], hidden: hidden, rng: &rng))
        bias = parameter(Initializer.lstmBias(hidden: hidden))
    }

    public var namedParameters: [(String, Tensor)] { [("w_ih", wIH), ("w_hh", wHH), ("bias", bias)] }

    /// Runs the direction over x [B, T, F] with per-sequence lengths; `reverse` starts at each sequence's end.
    public func callAsFunction(_ x: Tensor, lengths: [Int]?, reverse: Bool = false, h0: Tensor? = nil, c0: Tensor? = nil) -> LSTMResult {
        Tensor.lstm(x, wIH: wIH, wHH: wHH, bias: bias, h0: h0, c0: c0, lengths: lengths, reverse: reverse)
    }

    /// One step: x [B, F], state [B, H] each → new state.
    public func cell(_ x: Tensor, h: Tensor, c: Tensor) -> (h: Tensor, c: Tensor) {
        Tensor.lstmCell(x, h: h, c: c, wIH: wIH, wHH: wHH, bias: bias)
    }
}
