// Streaming configuration of the Transformer encoder and its chunk attention mask: frames are cut into
// chunks of C; a frame sees its own chunk (no look-ahead beyond it) and `leftChunks` chunks before it.
import Tensor

/// Chunked attention for streaming. Frame i (chunk c = i / C) may attend to frame j iff j < length,
/// chunk(j) ≤ c and chunk(j) ≥ c − leftChunks (any earlier chunk when `leftChunks` is nil).
/// With this mask the encoder's output for a chunk depends only on that chunk and earlier input,
/// so `TransformerEncoder.Stream` fed chunk by chunk reproduces the whole-input forward exactly.
public struct ChunkConfig: Equatable, Codable, Sendable {
    /// Frames per chunk (C ≥ 1), counted at the encoder input (after subsampling).
    public var chunkSize: Int
    /// Chunks of left context each frame may see; nil = unbounded.
    public var leftChunks: Int?

    public init(chunkSize: Int, leftChunks: Int? = nil) {
        precondition(chunkSize >= 1, "ChunkConfig: chunk size \(chunkSize) must be ≥ 1")
        precondition(leftChunks.map { $0 >= 0 } ?? true, "ChunkConfig: left chunks \(leftChunks!) must be ≥ 0")
        self.chunkSize = chunkSize
        self.leftChunks = leftChunks
    }

    enum CodingKeys: String, CodingKey {
        case chunkSize = "chunk_size", leftChunks = "left_chunks"
    }

    /// Whether a frame in chunk `queryChunk` may see a frame in chunk `keyChunk` (padding aside).
    public func allows(queryChunk: Int, keyChunk: Int) -> Bool {
        keyChunk <= queryChunk && (leftChunks.map { keyChunk >= queryChunk - $0 } ?? true)
    }

    /// Chunk and key-padding mask combined: [B, 1, T, T], 1 = masked.
    public func mask(lengths: [Int], frames t: Int) -> Tensor {
        var m = [Float](repeating: 0, count: lengths.count * t * t)
        for (b, len) in lengths.enumerated() {
            precondition(len >= 0 && len <= t, "chunk mask: length \(len) outside 0...\(t)")
            for i in 0..<t {
                let row = (b * t + i) * t
                for j in 0..<t where j >= len || !allows(queryChunk: i / chunkSize, keyChunk: j / chunkSize) {
                    m[row + j] = 1
                }
            }
        }
        return Tensor(shape: [lengths.count, 1, t, t], data: m)
    }
}
