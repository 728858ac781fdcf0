// Online (causal) mean normalization, the streaming form of cepstral mean normalization that Kaldi's online CMVN
// and Vosk use: each frame loses the mean of the frames up to it in a sliding window, shrunk towards zero (the global
// mean, once global statistics have been applied) by a number of prior pseudo-frames. It removes what a channel, a
// microphone or a voice adds to every frame of an utterance, and needs no look-ahead, so a stream fed in pieces gets
// exactly what the whole utterance gets.
import Foundation

/// Sliding-window causal mean subtraction over frames of `dim` values:
///
///     m_t = Σ_{s = max(0, t − W + 1)}^{t} x_s / (min(t + 1, W) + P),    y_t = x_t − m_t
///
/// W = `window` frames, P = `priorFrames` (0 = the plain window mean). Feed frames in order with `normalize`; `reset`
/// starts a new utterance.
public struct OnlineMeanNormalizer: Sendable {
    public let dim: Int
    public let window: Int
    public let priorFrames: Int
    /// The last `window` input frames, a ring buffer [window, dim].
    private var history: [Float]
    /// Σ of the frames in the window, per dimension (Double: frames leave the sum as they entered it).
    private var sum: [Double]
    /// Frames seen since the last reset.
    public private(set) var seen = 0

    public init(dim: Int, window: Int, priorFrames: Int) {
        precondition(dim > 0 && window > 0 && priorFrames >= 0,
                     "OnlineMeanNormalizer: dim \(dim) and window \(window) must be positive, prior frames \(priorFrames) ≥ 0")
        self.dim = dim
        self.window = window
        self.priorFrames = priorFrames
        history = [Float](repeating: 0, count: window * dim)
        sum = [Double](repeating: 0, count: dim)
    }

    /// Forgets every frame seen: the next frame starts an utterance.
    public mutating func reset() {
        seen = 0
        for i in sum.indices { sum[i] = 0 }
    }

    /// Normalizes the next frames, `rows` = [n, dim] flattened, in order; returns them normalized.
    public mutating func normalize(_ rows: [Float]) -> [Float] {
        precondition(rows.count % dim == 0, "OnlineMeanNormalizer: \(rows.count) values are not whole frames of \(dim)")
        var out = rows
        for t in 0..<(rows.count / dim) {
            let slot = (seen % window) * dim
            let leaving = seen >= window
            for f in 0..<dim {
                let x = rows[t * dim + f]
                if leaving { sum[f] -= Double(history[slot + f]) }
                sum[f] += Double(x)
                history[slot + f] = x
            }
            seen += 1
            let denominator = Double(min(seen, window) + priorFrames)
            for f in 0..<dim { out[t * dim + f] = rows[t * dim + f] - Float(sum[f] / denominator) }
        }
        return out
    }

    /// A whole utterance [T, dim] from a fresh state.
    public static func apply(_ m: FeatureMatrix, window: Int, priorFrames: Int) -> FeatureMatrix {
        var n = OnlineMeanNormalizer(dim: m.dim, window: window, priorFrames: priorFrames)
        return FeatureMatrix(frames: m.frames, dim: m.dim, data: n.normalize(m.data))
    }
}
