// Chunk-by-chunk Transformer encoding for streaming: keeps, per layer, the keys/values of the left-context
// chunks, so each chunk's output equals the whole-input forward under the same ChunkConfig mask.
import Tensor

extension TransformerEncoder {
    /// A streaming session. Feed chunks of exactly `config.chunkSize` frames ([1, C, In]); only the last
    /// chunk may be shorter. Each call returns that chunk's outputs [1, C, D]. Runs without the tape.
    public final class Stream {
        public let encoder: TransformerEncoder
        public let config: ChunkConfig
        /// Frames consumed so far (the position offset of the next chunk).
        public private(set) var frames = 0
        /// Per layer, the cached keys and values of the most recent chunks, each [1, H, C, d].
        var cache: [[(keys: Tensor, values: Tensor)]]
        var finished = false

        public init(encoder: TransformerEncoder, config: ChunkConfig) {
            self.encoder = encoder
            self.config = config
            cache = Array(repeating: [], count: encoder.layers.count)
        }

        /// chunk [1, C, In] (C ≤ chunkSize, C < chunkSize only for the last chunk) → [1, C, D].
        public func callAsFunction(_ chunk: Tensor) -> Tensor {
            precondition(chunk.rank == 3 && chunk.shape[0] == 1, "Stream: chunk \(chunk.shape), expected [1, C, \(encoder.inputDim)]")
            let c = chunk.shape[1]
            precondition(c >= 1 && c <= config.chunkSize, "Stream: chunk of \(c) frames, chunk size is \(config.chunkSize)")
            precondition(!finished, "Stream: a short (final) chunk was already fed; call reset() to start again")
            if c < config.chunkSize { finished = true }
            return Tensor.withoutGrad {
                var h = encoder.embed(chunk, offset: frames)                          // [1, C, D]
                for (i, layer) in encoder.layers.enumerated() {
                    let left = cache[i]
                    let leftKeys = left.isEmpty ? nil : Tensor.concat(left.map(\.keys), axis: 2)      // [1, H, L, d]
                    let leftValues = left.isEmpty ? nil : Tensor.concat(left.map(\.values), axis: 2)
                    let r = layer.step(h, leftKeys: leftKeys, leftValues: leftValues)
                    cache[i].append((r.keys, r.values))
                    if let n = config.leftChunks, cache[i].count > n { cache[i].removeFirst(cache[i].count - n) }
                    h = r.output
                }
                frames += c
                return encoder.finalNorm(h)
            }
        }

        /// Forgets all context: the next chunk starts at frame 0.
        public func reset() {
            frames = 0
            finished = false
            cache = Array(repeating: [], count: encoder.layers.count)
        }
    }

    /// A new streaming session with this encoder's weights.
    public func stream(_ config: ChunkConfig) -> Stream { Stream(encoder: self, config: config) }
}
