// Layer normalization over the last dimension.
import Tensor

/// x: [..., F] → same shape; gamma ones, beta zeros.
public final class LayerNorm: Layer {
    public let gamma: Tensor
    public let beta: Tensor
    public let eps: Float

    public init(_ dim: Int, eps: Float = 1e-5) {
        gamma = parameter(Tensor.ones([dim]))
        beta = parameter(Tensor.zeros([dim]))
        self.eps = eps
    }

    public var namedParameters: [(String, Tensor)] { [("weight", gamma), ("bias", beta)] }

    public func callAsFunction(_ x: Tensor) -> Tensor { Tensor.layerNorm(x, gamma: gamma, beta: beta, eps: eps) }
}
