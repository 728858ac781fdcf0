// Token embedding table.
import Tensor

/// indices (shape S) → S + [E]. Table [V, E], normal(0, 1/√E).
public final class Embedding: Layer {
    public let table: Tensor

    public init(vocabulary: Int, dim: Int, rng: inout RNG) {
        table = parameter(Tensor.randn([vocabulary, dim], std: 1 / Float(dim).squareRoot(), rng: &rng))
    }

    public var namedParameters: [(String, Tensor)] { [("weight", table)] }

    /// indices: flat token ids; `shape` their shape (default [count]) → shape + [E].
    public func callAsFunction(_ indices: [Int], shape: [Int]? = nil) -> Tensor {
        Tensor.embedding(table, indices: indices, shape: shape)
    }
}
