// A bidirectional (or unidirectional) LSTM layer, with the latency-controlled mode used for streaming:
// the backward direction runs over each chunk plus a fixed look-ahead, from a zero state, so a chunk's
// output never depends on audio more than `lookahead` frames past its end.
import Tensor

/// How the backward direction sees the future. chunk = frames per chunk, lookahead = extra frames.
public struct ChunkSpec: Codable, Equatable, Sendable {
    public var chunk: Int
    public var lookahead: Int
    /// How look-ahead frames pass between layers (`layered` when absent from a config).
    public var mode: StreamLookahead
    public init(chunk: Int, lookahead: Int, mode: StreamLookahead = .layered) {
        precondition(chunk > 0 && lookahead >= 0, "ChunkSpec: chunk \(chunk) must be > 0, lookahead \(lookahead) >= 0")
        self.chunk = chunk
        self.lookahead = lookahead
        self.mode = mode
    }

    enum CodingKeys: String, CodingKey { case chunk, lookahead, mode }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        chunk = try c.decode(Int.self, forKey: .chunk)
        lookahead = try c.decode(Int.self, forKey: .lookahead)
        mode = try c.decodeIfPresent(StreamLookahead.self, forKey: .mode) ?? .layered
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(chunk, forKey: .chunk)
        try c.encode(lookahead, forKey: .lookahead)
        if mode != .layered { try c.encode(mode, forKey: .mode) }   // configs from before the mode existed stay as they were
    }
}

/// x [B, T, F] → [B, T, H] (unidirectional) or [B, T, 2H] (forward ‖ backward).
public final class BiLSTMLayer: Layer {
    public let forward: LSTMDirection
    public let backward: LSTMDirection?

    public init(input: Int, hidden: Int, bidirectional: Bool = true, rng: inout RNG) {
        forward = LSTMDirection(input: input, hidden: hidden, rng: &rng)
        backward = bidirectional ? LSTMDirection(input: input, hidden: hidden, rng: &rng) : nil
    }

    public var outputDim: Int { forward.hidden * (backward == nil ? 1 : 2) }

    public var namedParameters: [(String, Tensor)] { scoped("fwd", forward) + scoped("bwd", backward) }

    /// Whole-sequence forward. With `chunks`, the backward direction is latency-controlled.
    public func callAsFunction(_ x: Tensor, lengths: [Int], chunks: ChunkSpec? = nil) -> Tensor {
        let f = forward(x, lengths: lengths).output                         // [B, T, H]
        guard let backward else { return f }
        let b: Tensor
        if let chunks {
            b = Self.chunkedBackward(backward, x, lengths: lengths, spec: chunks)
        } else {
            b = backward(x, lengths: lengths, reverse: true).output         // [B, T, H]
        }
        return Tensor.concat([f, b], axis: 2)                               // [B, T, 2H]
    }

    /// Backward direction over windows [kC, kC + C + R) of every chunk k, batched as [B·K, C+R, F];
    /// each window starts from a zero state and only its first C outputs are kept.
    static func chunkedBackward(_ dir: LSTMDirection, _ x: Tensor, lengths: [Int], spec: ChunkSpec) -> Tensor {
        let (nb, nt) = (x.shape[0], x.shape[1])
        let c = spec.chunk, w = spec.chunk + spec.lookahead
        let k = chunkCount(frames: nt, chunk: c)
        let windows = chunkRows(x, chunk: c, offset: 0, count: w)                                // [B·K, W, F]
        let out = dir(windows, lengths: windowLengths(lengths, frames: nt, chunk: c, count: w), reverse: true).output  // [B·K, W, H]
        let h = dir.hidden
        let kept = out.slice(axis: 1, 0..<c).reshaped([nb, k * c, h])           // [B, K·C, H]
        return k * c == nt ? kept : kept.slice(axis: 1, 0..<nt)                 // [B, T, H]
    }

    /// Chunks of `chunk` frames covering `frames` (at least one).
    static func chunkCount(frames: Int, chunk: Int) -> Int { max((frames + chunk - 1) / chunk, 1) }

    /// Rows kC + offset + j (j < count) of every chunk k of x [B, T, F], zero past the end: [B·K, count, F].
    static func chunkRows(_ x: Tensor, chunk c: Int, offset: Int, count: Int) -> Tensor {
        let (nb, nt, nf) = (x.shape[0], x.shape[1], x.shape[2])
        let k = chunkCount(frames: nt, chunk: c)
        let padded = Tensor.concat([x, Tensor.zeros([nb, 1, nf])], axis: 1)       // [B, T+1, F]
        var index = [Int]()
        index.reserveCapacity(nb * k * count)
        for bi in 0..<nb {
            for ki in 0..<k {
                for j in 0..<count {
                    let t = ki * c + offset + j
                    index.append(bi * (nt + 1) + (t < nt ? t : nt))
                }
            }
        }
        return padded.reshaped([nb * (nt + 1), nf]).indexSelect(index, axis: 0).reshaped([nb * k, count, nf])
    }

    /// Valid frames of each window of `count` frames starting at a chunk start, per sequence and chunk: [B·K].
    static func windowLengths(_ lengths: [Int], frames: Int, chunk c: Int, count: Int) -> [Int] {
        let k = chunkCount(frames: frames, chunk: c)
        return lengths.flatMap { len in (0..<k).map { ki in min(max(len - ki * c, 0), count) } }
    }
}
