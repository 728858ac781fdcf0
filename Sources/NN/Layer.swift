// The layer protocol: a layer owns named parameter tensors, so models can be saved to and loaded from
// safetensors by name. Layers are classes (parameters are shared references the optimizer updates).
import Tensor

/// A neural-network layer with named parameters.
public protocol Layer: AnyObject {
    /// Parameters with names relative to this layer ("weight", "fwd.w_ih", ...), in a fixed order.
    var namedParameters: [(String, Tensor)] { get }
}

extension Layer {
    /// All parameters, in `namedParameters` order.
    public var parameters: [Tensor] { namedParameters.map(\.1) }

    /// Total number of trainable values.
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.1.count } }
}

/// Prefixes the names of a child layer's parameters: `prefix.name`.
public func scoped(_ prefix: String, _ layer: Layer?) -> [(String, Tensor)] {
    guard let layer else { return [] }
    return layer.namedParameters.map { ("\(prefix).\($0.0)", $0.1) }
}

/// Marks a freshly initialised tensor as a trainable parameter.
func parameter(_ t: Tensor) -> Tensor {
    t.requiresGrad = true
    return t
}
