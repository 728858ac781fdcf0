// The position-wise feed-forward sublayer of the Transformer blocks: Linear(D, F) → ReLU → Linear(F, D),
// applied to every frame/token independently. Not the residual or the LayerNorm (the blocks own those).
import Tensor

/// x [B, T, D] → [B, T, D] through a hidden width F; `drop` (dropout or identity) on the hidden layer.
public final class FeedForward: Layer {
    public let linear1: Linear, linear2: Linear

    public init(dim: Int, hidden: Int, rng: inout RNG) {
        linear1 = Linear(dim, hidden, rng: &rng)
        linear2 = Linear(hidden, dim, rng: &rng)
    }

    /// Named like PyTorch's blocks one level up: "ff1.*", "ff2.*".
    public var namedParameters: [(String, Tensor)] { scoped("ff1", linear1) + scoped("ff2", linear2) }

    /// x [B, T, D] → [B, T, D].
    public func callAsFunction(_ x: Tensor, drop: (Tensor) -> Tensor = { $0 }) -> Tensor {
        linear2(drop(linear1(x).relu()))                                              // [B, T, F] → [B, T, D]
    }
}
