// Autograd: how results join the tape, no-grad mode, and backward() over a topological order
// (karpathy/micrograd engine.py). Not the ops' derivatives: each op writes its own closure.
import Foundation

/// Whether ops record the tape. Off inside `Tensor.withoutGrad { }` (inference, optimizer updates).
/// Per thread: decoding on one thread while another trains must not switch the other's tape off.
/// The depth lives in a pthread-specific slot (the pointer value is the count; no allocation):
/// one `pthread_getspecific` call per recorded op: about 12 ns here against 1 ns for a global static,
/// next to the ≥ 100 ns an op spends allocating its result.
public enum GradMode {
    private static let depthKey: pthread_key_t = {
        var key = pthread_key_t()
        let rc = pthread_key_create(&key, nil)
        precondition(rc == 0, "GradMode: pthread_key_create failed (\(rc))")
        return key
    }()

    /// How many `withoutGrad` scopes enclose the current thread's code.
    static var disabledDepth: Int {
        get { Int(bitPattern: pthread_getspecific(depthKey)) }
        set { pthread_setspecific(depthKey, UnsafeRawPointer(bitPattern: newValue)) }
    }

    public static var isEnabled: Bool { disabledDepth == 0 }
}

extension Tensor {
    /// Runs `body` with tape recording off: results have no parents and `requiresGrad == false`.
    public static func withoutGrad<R>(_ body: () throws -> R) rethrows -> R {
        GradMode.disabledDepth += 1
        defer { GradMode.disabledDepth -= 1 }
        return try body()
    }

    /// Makes an op's result. When grad mode is on and some parent requires grad, the result requires
    /// grad and keeps `backward`, which receives the result's gradient and must *add* into the parents'.
    /// The closure must not capture the result itself (capture its `data` array instead).
    static func make(_ op: String, shape: [Int], data: [Float], parents: [Tensor],
                     backward: @escaping ([Float]) -> Void) -> Tensor {
        let out = Tensor(shape: shape, data: data)
        out.op = op
        if GradMode.isEnabled && parents.contains(where: { $0.requiresGrad }) {
            out.requiresGrad = true
            out.parents = parents
            out.backwardFn = backward
        }
        return out
    }

    /// Whether the tape is recording for these inputs (ops use it to skip work needed only by backward).
    static func recording(_ inputs: Tensor...) -> Bool {
        GradMode.isEnabled && inputs.contains(where: { $0.requiresGrad })
    }

    /// Back-propagates from this tensor. A scalar starts from gradient 1; otherwise pass `seed`
    /// (same count as `data`). Intermediate results drop their closures and gradients afterwards
    /// unless `retainGraph`; leaves (parameters) keep their accumulated `grad`.
    public func backward(seed: [Float]? = nil, retainGraph: Bool = false) {
        if let seed {
            precondition(seed.count == count, "backward: seed of \(seed.count) values for shape \(shape)")
        } else {
            precondition(count == 1, "backward: a non-scalar result (shape \(shape)) needs a seed gradient")
        }
        guard requiresGrad else { return }
        let order = topologicalOrder()
        accumulateGrad(seed ?? [1])
        for node in order.reversed() {
            guard let fn = node.backwardFn else { continue }
            if let g = node.grad { fn(g) }
            if !retainGraph {
                node.backwardFn = nil
                node.parents = []
                node.grad = nil
            }
        }
    }

    /// Nodes reachable from self through `parents`, every node after all of its parents.
    /// Iterative, because a long unrolled sequence would overflow the stack with recursion.
    func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (node, next) = stack.popLast() {
            if next < node.parents.count {
                stack.append((node, next + 1))
                let p = node.parents[next]
                if p.requiresGrad && visited.insert(ObjectIdentifier(p)).inserted { stack.append((p, 0)) }
            } else {
                order.append(node)
            }
        }
        return order
    }
}
