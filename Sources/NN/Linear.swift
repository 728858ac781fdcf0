// Linear (fully connected) layer: y = x · Wᵀ + b, PyTorch's weight layout [out, in].
import Tensor

/// x: [..., In] → [..., Out]. Weight [Out, In] (Glorot uniform), bias [Out] (zeros) or none.
public final class Linear: Layer {
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, rng: inout RNG) {
        weight = parameter(Initializer.glorotUniform([outFeatures, inFeatures], rng: &rng))
        self.bias = bias ? parameter(Tensor.zeros([outFeatures])) : nil
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    public var namedParameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// x: [..., In] → [..., Out], one GEMM over all leading dims.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = Tensor.matmul(x, weight, transposeB: true)
        guard let bias else { return y }
        return y + bias
    }
}
