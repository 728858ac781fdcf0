// Initializers: seeded parameter initialization — Glorot/Xavier uniform, PyTorch's LSTM uniform
// U(−1/√H, 1/√H), and an LSTM bias with the forget gate at 1. All take the RNG explicitly.
import Foundation

public enum Initializer {
    /// (fanIn, fanOut) of a weight: [out, in] for linear, [out, in, k...] for conv (PyTorch convention).
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        precondition(shape.count >= 1, "fans: scalar has no fan")
        if shape.count == 1 { return (shape[0], shape[0]) }
        let receptive = Tensor.count(of: Array(shape.dropFirst(2)))
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// U(−a, a) with a = gain·√(6 / (fanIn + fanOut)).
    public static func glorotUniform(_ shape: [Int], gain: Float = 1, rng: inout RNG) -> Tensor {
        let (fi, fo) = fans(shape)
        let a = gain * (6 / Float(fi + fo)).squareRoot()
        return Tensor.uniform(shape, -a, a, rng: &rng, requiresGrad: true)
    }

    /// U(−1/√hidden, 1/√hidden), PyTorch's LSTM/GRU default for every weight and bias.
    public static func lstmUniform(_ shape: [Int], hidden: Int, rng: inout RNG) -> Tensor {
        let a = 1 / Float(hidden).squareRoot()
        return Tensor.uniform(shape, -a, a, rng: &rng, requiresGrad: true)
    }

    /// An LSTM bias [4H] (gate order i, f, g, o): zeros with the forget slice at `forget` (default 1).
    public static func lstmBias(hidden: Int, forget: Float = 1) -> Tensor {
        var b = [Float](repeating: 0, count: 4 * hidden)
        for j in hidden..<(2 * hidden) { b[j] = forget }
        return Tensor(shape: [4 * hidden], data: b, requiresGrad: true)
    }
}
