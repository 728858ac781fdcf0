// LRSchedule: learning rate as a function of the optimizer step (1-based): warmup + inverse
// square root (Noam), exponential decay, cosine with warmup, constant.
import Foundation

public protocol LRSchedule {
    func learningRate(at step: Int) -> Float
}

/// A fixed rate.
public struct ConstantLR: LRSchedule {
    public let rate: Float
    public init(_ rate: Float) { self.rate = rate }
    public func learningRate(at step: Int) -> Float { rate }
}

/// Noam (Vaswani et al.): linear warmup to `peak` at `warmup` steps, then peak·√(warmup/step).
/// `NoamLR(dModel:warmup:factor:)` gives the paper's factor·d^−½·min(step^−½, step·warmup^−1.5).
public struct NoamLR: LRSchedule {
    public let peak: Float, warmup: Int
    public init(peak: Float, warmup: Int) { self.peak = peak; self.warmup = max(warmup, 1) }
    public init(dModel: Int, warmup: Int, factor: Float = 1) {
        self.init(peak: factor / Float(dModel).squareRoot() / Float(max(warmup, 1)).squareRoot(), warmup: warmup)
    }
    public func learningRate(at step: Int) -> Float {
        let s = Float(max(step, 1)), w = Float(warmup)
        return peak * min(s / w, (w / s).squareRoot())
    }
}

/// initial · decay^(step / every), optionally not below `minimum`.
public struct ExponentialLR: LRSchedule {
    public let initial: Float, decay: Float, every: Int, minimum: Float
    public init(initial: Float, decay: Float, every: Int = 1, minimum: Float = 0) {
        self.initial = initial; self.decay = decay; self.every = max(every, 1); self.minimum = minimum
    }
    public func learningRate(at step: Int) -> Float {
        max(minimum, initial * Float(Foundation.pow(Double(decay), Double(step) / Double(every))))
    }
}

/// Linear warmup to `peak`, then half a cosine down to `minimum` at `total` steps (held after).
public struct CosineLR: LRSchedule {
    public let peak: Float, warmup: Int, total: Int, minimum: Float
    public init(peak: Float, warmup: Int = 0, total: Int, minimum: Float = 0) {
        self.peak = peak; self.warmup = warmup; self.total = max(total, warmup + 1); self.minimum = minimum
    }
    public func learningRate(at step: Int) -> Float {
        if step < warmup { return peak * Float(step + 1) / Float(warmup) }
        let progress = min(1, Double(step - warmup) / Double(total - warmup))
        return minimum + (peak - minimum) * Float(0.5 * (1 + Foundation.cos(Double.pi * progress)))
    }
}
