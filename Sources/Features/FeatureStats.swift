// Global mean/variance statistics of features, accumulated over many utterances (e.g. a manifest) in
// Float64 and stored with a model; `normalize` applies them.
import Foundation

/// Running per-dimension mean and variance. Codable so a model can store it.
public struct FeatureStats: Codable, Equatable, Sendable {
    public var dim: Int
    public var count: Int = 0
    public var sum: [Double]
    public var sumSquares: [Double]

    public init(dim: Int) {
        self.dim = dim
        sum = [Double](repeating: 0, count: dim)
        sumSquares = [Double](repeating: 0, count: dim)
    }

    /// Adds every frame of `m` ([T, dim]).
    public mutating func accumulate(_ m: FeatureMatrix) {
        precondition(m.dim == dim, "FeatureStats.accumulate: dim \(m.dim) vs \(dim)")
        for t in 0..<m.frames {
            for f in 0..<dim {
                let x = Double(m.data[t * dim + f])
                sum[f] += x
                sumSquares[f] += x * x
            }
        }
        count += m.frames
    }

    /// Per-dimension mean.
    public var mean: [Float] { (0..<dim).map { count > 0 ? Float(sum[$0] / Double(count)) : 0 } }

    /// Per-dimension standard deviation (population).
    public var std: [Float] {
        (0..<dim).map { f in
            guard count > 0 else { return 1 }
            let m = sum[f] / Double(count)
            return Float(max(sumSquares[f] / Double(count) - m * m, 0).squareRoot())
        }
    }

    /// (x - mean) / max(std, epsilon), per dimension.
    public func normalize(_ m: FeatureMatrix, epsilon: Float = 1e-5) -> FeatureMatrix {
        precondition(m.dim == dim, "FeatureStats.normalize: dim \(m.dim) vs \(dim)")
        let mu = mean, inv = std.map { 1 / max($0, epsilon) }
        var out = m
        for t in 0..<m.frames {
            for f in 0..<dim { out.data[t * dim + f] = (m.data[t * dim + f] - mu[f]) * inv[f] }
        }
        return out
    }
}
