// Optimizers: SGD (momentum, Nesterov), Adam and AdamW (decoupled weight decay), and gradient
// clipping by global norm. They update `data` of parameters in place from their `grad`; state
// (moments, step count) can be exported as tensors for checkpoints.
import Foundation

/// Something that updates parameters from their gradients.
public protocol Optimizer: AnyObject {
    var parameters: [Tensor] { get }
    var learningRate: Float { get set }
    /// One update from the current gradients (parameters without a gradient are skipped).
    func step()
    /// Optimizer state for a checkpoint, and its restoration (names are the optimizer's own).
    func stateTensors() -> [String: Tensor]
    func loadState(_ state: [String: Tensor]) throws
}

extension Optimizer {
    /// Clears every parameter's gradient.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }
}

/// Scales all gradients so that their joint L2 norm is at most `maxNorm`; returns the norm before.
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    var sq: Double = 0
    for p in parameters { if let g = p.grad { for v in g { sq += Double(v) * Double(v) } } }
    let norm = Float(sq.squareRoot())
    if norm > maxNorm && norm > 0 {
        let s = maxNorm / (norm + 1e-6)
        for p in parameters where p.grad != nil { p.accumulateGrad { g in for i in 0..<g.count { g[i] *= s } } }
    }
    return norm
}

/// Stochastic gradient descent: v = μ·v + (g + λ·w); w −= lr·v (or lr·(g + μ·v) with Nesterov).
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public let momentum: Float, weightDecay: Float, nesterov: Bool
    var velocity: [[Float]]

    public init(parameters: [Tensor], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        velocity = parameters.map { [Float](repeating: 0, count: $0.count) }
    }

    public func step() {
        let (lr, mu, wd) = (learningRate, momentum, weightDecay)
        for (k, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            p.data.withUnsafeMutableBufferPointer { w in velocity[k].withUnsafeMutableBufferPointer { v in
                for i in 0..<w.count {
                    let gi = g[i] + wd * w[i]
                    v[i] = mu * v[i] + gi
                    w[i] -= lr * (nesterov ? gi + mu * v[i] : v[i])
                }
            } }
        }
    }

    public func stateTensors() -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: velocity.enumerated().map { ("velocity.\($0.offset)", Tensor($0.element)) })
    }

    public func loadState(_ state: [String: Tensor]) throws {
        velocity = try parameters.indices.map { try optimizerState(state, "velocity.\($0)", count: parameters[$0].count) }
    }
}

/// Adam (Kingma & Ba) with bias correction. `decoupledWeightDecay` makes it AdamW (Loshchilov &
/// Hutter): w −= lr·λ·w separately, instead of adding λ·w to the gradient.
public final class Adam: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, eps: Float, weightDecay: Float, decoupledWeightDecay: Bool
    public private(set) var stepCount = 0
    var m: [[Float]], v: [[Float]]

    public init(parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                eps: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.eps = eps
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        m = parameters.map { [Float](repeating: 0, count: $0.count) }
        v = m
    }

    /// AdamW with PyTorch's default decay 0.01.
    public static func adamW(parameters: [Tensor], learningRate: Float = 1e-3, weightDecay: Float = 0.01) -> Adam {
        Adam(parameters: parameters, learningRate: learningRate, weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    public func step() {
        stepCount += 1
        let (b1, b2, lr, wd) = (beta1, beta2, learningRate, weightDecay)
        let c1 = 1 - Float(Foundation.pow(Double(b1), Double(stepCount)))
        let c2 = 1 - Float(Foundation.pow(Double(b2), Double(stepCount)))
        let stepSize = lr / c1, rc2 = 1 / c2.squareRoot(), e = eps
        let decoupled = decoupledWeightDecay
        for (k, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            p.data.withUnsafeMutableBufferPointer { w in m[k].withUnsafeMutableBufferPointer { mk in
                v[k].withUnsafeMutableBufferPointer { vk in g.withUnsafeBufferPointer { gk in
                    for i in 0..<w.count {
                        var gi = gk[i]
                        if decoupled { w[i] -= lr * wd * w[i] } else { gi += wd * w[i] }
                        mk[i] = b1 * mk[i] + (1 - b1) * gi
                        vk[i] = b2 * vk[i] + (1 - b2) * gi * gi
                        w[i] -= stepSize * mk[i] / (vk[i].squareRoot() * rc2 + e)
                    }
                } }
            } }
        }
    }

    public func stateTensors() -> [String: Tensor] {
        var s: [String: Tensor] = ["step": Tensor(scalar: Float(stepCount))]
        for k in parameters.indices { s["m.\(k)"] = Tensor(m[k]); s["v.\(k)"] = Tensor(v[k]) }
        return s
    }

    public func loadState(_ state: [String: Tensor]) throws {
        guard let s = state["step"], s.count == 1 else { throw TensorError.missingTensor(name: "step", available: state.keys.sorted()) }
        m = try parameters.indices.map { try optimizerState(state, "m.\($0)", count: parameters[$0].count) }
        v = try parameters.indices.map { try optimizerState(state, "v.\($0)", count: parameters[$0].count) }
        stepCount = Int(s.item)
    }
}

/// One named state vector of the expected size, or an error naming what is wrong.
func optimizerState(_ state: [String: Tensor], _ name: String, count: Int) throws -> [Float] {
    guard let t = state[name] else { throw TensorError.missingTensor(name: name, available: state.keys.sorted()) }
    guard t.count == count else { throw TensorError.shapeMismatch(name: name, expected: [count], got: t.shape) }
    return t.data
}
