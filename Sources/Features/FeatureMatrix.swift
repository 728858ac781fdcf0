// A [frames, dim] Float32 matrix of features, row-major, with per-utterance normalization.
import Foundation

/// Features of one utterance. Shape [T, F]: `frames` rows of `dim` values.
public struct FeatureMatrix: Equatable, Sendable {
    public var frames: Int
    public var dim: Int
    /// Row-major values, count frames × dim.
    public var data: [Float]

    public init(frames: Int, dim: Int, data: [Float]) {
        precondition(data.count == frames * dim, "FeatureMatrix: \(data.count) values for shape [\(frames), \(dim)]")
        self.frames = frames
        self.dim = dim
        self.data = data
    }

    /// Row `t` as an array.
    public func row(_ t: Int) -> ArraySlice<Float> { data[(t * dim)..<((t + 1) * dim)] }

    /// Per-utterance mean and variance normalization (each feature to zero mean, unit variance).
    public func normalizedPerUtterance(epsilon: Float = 1e-5) -> FeatureMatrix {
        var stats = FeatureStats(dim: dim)
        stats.accumulate(self)
        return stats.normalize(self, epsilon: epsilon)
    }
}
