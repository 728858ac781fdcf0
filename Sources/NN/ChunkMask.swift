// Streaming configuration of the Transformer encoder and its attention mask: frames are cut into chunks of C;
// a frame sees its own chunk, `leftChunks` chunks before it and `lookAhead` frames after its chunk.
import Tensor

/// Chunked attention for streaming. Frame i (chunk c = i / C) may attend to frame j iff j < length,
/// j < (c + 1)·C + lookAhead and chunk(j) ≥ c − leftChunks (any earlier frame when `leftChunks` is nil).
/// Every frame of a chunk sees the same keys, so `TransformerEncoder.Stream` fed frame blocks reproduces the
/// whole-input forward exactly. The price of look-ahead is latency: each layer's look-ahead reads the layer
/// below's outputs, which come a chunk at a time, so a chunk's output waits for layers·⌈lookAhead / C⌉ more chunks.
public struct ChunkConfig: Equatable, Codable, Sendable {
    /// Frames per chunk (C ≥ 1), counted at the encoder input (after subsampling).
    public var chunkSize: Int
    /// Chunks of left context each frame may see; nil = unbounded.
    public var leftChunks: Int?
    /// Frames after the end of its own chunk a frame may see (per layer).
    public var lookAhead: Int

    public init(chunkSize: Int, leftChunks: Int? = nil, lookAhead: Int = 0) {
        precondition(chunkSize >= 1, "ChunkConfig: chunk size \(chunkSize) must be ≥ 1")
        precondition(leftChunks.map { $0 >= 0 } ?? true, "ChunkConfig: left chunks \(leftChunks!) must be ≥ 0")
        precondition(lookAhead >= 0, "ChunkConfig: look-ahead \(lookAhead) must be ≥ 0")
        self.chunkSize = chunkSize
        self.leftChunks = leftChunks
        self.lookAhead = lookAhead
    }

    enum CodingKeys: String, CodingKey {
        case chunkSize = "chunk_size", leftChunks = "left_chunks", lookAhead = "look_ahead"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(chunkSize: try c.decode(Int.self, forKey: .chunkSize),
                  leftChunks: try c.decodeIfPresent(Int.self, forKey: .leftChunks),
                  lookAhead: try c.decodeIfPresent(Int.self, forKey: .lookAhead) ?? 0)
    }

    /// The frames chunk c may attend to, before clipping to the length: first ..< end.
    public func context(ofChunk c: Int) -> Range<Int> {
        let first = leftChunks.map { max(0, (c - $0) * chunkSize) } ?? 0
        return first..<((c + 1) * chunkSize + lookAhead)
    }

    /// Chunk and key-padding mask combined: [B, 1, T, T], 1 = masked.
    public func mask(lengths: [Int], frames t: Int) -> Tensor {
        var m = [Float](repeating: 1, count: lengths.count * t * t)
        for (b, len) in lengths.enumerated() {
            precondition(len >= 0 && len <= t, "chunk mask: length \(len) outside 0...\(t)")
            for i in 0..<t {
                let row = (b * t + i) * t, visible = context(ofChunk: i / chunkSize).clamped(to: 0..<len)
                for j in visible { m[row + j] = 0 }
            }
        }
        return Tensor(shape: [lengths.count, 1, t, t], data: m)
    }
}
