// Tensor: a Float32, row-major, n-dimensional array that remembers how it was made (the autodiff tape).
// This file holds storage, shape, creation and the gradient buffer; ops live in Tensor+*.swift,
// backward() in Autograd.swift. It is not a view type: every op returns fresh contiguous storage.
import Foundation

/// A dense Float32 tensor in row-major order.
///
/// Reference semantics on purpose: the tape needs identity. Ops never mutate their inputs; a result
/// made while gradients are enabled and from an input with `requiresGrad` records its parents and a
/// closure that *adds* into their `grad` (micrograd style).
public final class Tensor {
    /// Dimensions, outermost first. `[]` is a scalar.
    public let shape: [Int]
    /// The values, row-major, `shape.product` of them.
    public var data: [Float]
    /// The accumulated gradient (same count as `data`), or nil until something is added.
    public var grad: [Float]?
    /// Whether backward() should produce a gradient for this tensor (parameters set it; results inherit it).
    public var requiresGrad: Bool
    /// An optional label for debugging and for optimizer/serializer bookkeeping.
    public var name: String?

    // Tape: the inputs this tensor was computed from, and the closure that turns this tensor's
    // gradient into additions to their gradients. Both are nil for leaves and in no-grad mode.
    var parents: [Tensor] = []
    var backwardFn: (([Float]) -> Void)?
    /// The op name, for error messages and graph dumps.
    public internal(set) var op: String = "leaf"

    /// Tears the tape down iteratively: releasing a long chain of results (an unrolled decoder run
    /// without backward) would otherwise recurse once per node through deinit and overflow the stack.
    deinit {
        guard !parents.isEmpty else { return }
        var pending = parents
        parents = []
        backwardFn = nil   // the closure holds the parents too
        while var node = pending.popLast() {
            if isKnownUniquelyReferenced(&node) {
                pending.append(contentsOf: node.parents)
                node.parents = []
                node.backwardFn = nil
            }
        }
    }

    /// A tensor with the given shape and values (`data.count` must equal the product of `shape`).
    public init(shape: [Int], data: [Float], requiresGrad: Bool = false) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        precondition(data.count == Tensor.count(of: shape),
                     "Tensor: \(data.count) values do not fill shape \(shape) (\(Tensor.count(of: shape)) needed)")
        self.shape = shape
        self.data = data
        self.requiresGrad = requiresGrad
    }

    /// A 1-D tensor of the given values.
    public convenience init(_ values: [Float], requiresGrad: Bool = false) {
        self.init(shape: [values.count], data: values, requiresGrad: requiresGrad)
    }

    /// A scalar (shape `[]`).
    public convenience init(scalar: Float, requiresGrad: Bool = false) {
        self.init(shape: [], data: [scalar], requiresGrad: requiresGrad)
    }

    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, data: [Float](repeating: 0, count: count(of: shape)), requiresGrad: requiresGrad)
    }

    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, 1, requiresGrad: requiresGrad)
    }

    public static func full(_ shape: [Int], _ value: Float, requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, data: [Float](repeating: value, count: count(of: shape)), requiresGrad: requiresGrad)
    }

    /// Number of elements of a shape (1 for a scalar).
    @inlinable public static func count(of shape: [Int]) -> Int { shape.reduce(1, *) }

    public var count: Int { data.count }
    public var rank: Int { shape.count }

    /// The single value of a one-element tensor.
    public var item: Float {
        precondition(data.count == 1, "item: tensor of shape \(shape) has \(data.count) elements, not 1")
        return data[0]
    }

    /// A copy of the values that is cut from the tape (no parents, no requiresGrad).
    public func detached() -> Tensor { Tensor(shape: shape, data: data) }

    /// Size of dimension `axis` (negative counts from the end).
    public func dim(_ axis: Int) -> Int { shape[normalizedAxis(axis, op: "dim")] }

    func normalizedAxis(_ axis: Int, op: String) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "\(op): axis \(axis) out of range for shape \(shape)")
        return a
    }

    /// Clears the gradient (optimizers call this between steps).
    public func zeroGrad() { grad = nil }

    /// Adds into this tensor's gradient, creating it as zeros first; used by backward closures.
    @inline(__always)
    func accumulateGrad(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        if grad == nil { grad = [Float](repeating: 0, count: data.count) }
        grad!.withUnsafeMutableBufferPointer { body($0) }
    }

    /// Adds `g` (same count as `data`) into the gradient, as if a backward pass had reached this tensor with it
    /// (data-parallel training sums the replicas' gradients into the master's with it).
    public func addGrad(_ g: [Float]) { accumulateGrad(g) }

    /// Adds `g` (same count) into the gradient.
    func accumulateGrad(_ g: [Float]) {
        if grad == nil { grad = g; return }
        precondition(g.count == data.count, "accumulateGrad: \(g.count) values for shape \(shape)")
        accumulateGrad { dst in
            g.withUnsafeBufferPointer { src in
                for i in 0..<src.count { dst[i] += src[i] }
            }
        }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = data.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor(\(op), shape: \(shape), [\(shown)\(data.count > 8 ? ", …" : "")])"
    }
}
