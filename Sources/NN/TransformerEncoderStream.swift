// Chunk-by-chunk Transformer encoding for streaming. Each layer keeps the keys/values of its input frames that
// later chunks may still see and the inputs of chunks still waiting for look-ahead, so the outputs equal the
// whole-input forward under the same ChunkConfig mask.
import Tensor

extension TransformerEncoder {
    /// A streaming session: feed input frames [1, n, In] in blocks of any size (usually one chunk), get back the
    /// encoder outputs [1, m, D] of the chunks that became complete (nil while none did), in order; `finish()`
    /// returns the rest. With lookAhead 0 a full chunk comes out as soon as it is fed. Runs without the tape.
    public final class Stream {
        public let encoder: TransformerEncoder
        public let config: ChunkConfig
        /// Input frames consumed so far (the position offset of the next block).
        public private(set) var frames = 0
        /// Output frames returned so far.
        public private(set) var emitted = 0
        var layerStates: [LayerState]
        var finished = false

        /// One layer's view of its input stream (absolute frame indices).
        struct LayerState {
            /// Keys/values [1, H, n, d] of input frames keyStart..<keyStart+n.
            var keys: Tensor?, values: Tensor?
            var keyStart = 0
            /// Inputs [1, p, D] of frames pendingStart..<pendingStart+p, not yet turned into outputs.
            var pending: Tensor?
            var pendingStart = 0
            /// Input frames received.
            var received = 0
        }

        public init(encoder: TransformerEncoder, config: ChunkConfig) {
            self.encoder = encoder
            self.config = config
            layerStates = Array(repeating: LayerState(), count: encoder.layers.count)
        }

        /// Input frames [1, n, In] → the outputs [1, m, D] now complete (nil if none).
        public func callAsFunction(_ block: Tensor) -> Tensor? {
            precondition(block.rank == 3 && block.shape[0] == 1 && block.shape[1] >= 1,
                         "Stream: input \(block.shape), expected [1, n, \(encoder.inputDim)]")
            precondition(!finished, "Stream: finish() was called; call reset() to start again")
            return Tensor.withoutGrad {
                let x = encoder.embed(block, offset: frames)                          // [1, n, D]
                frames += block.shape[1]
                return run(x)
            }
        }

        /// Ends the input: the outputs [1, m, D] of the frames still waiting (nil if none).
        public func finish() -> Tensor? {
            precondition(!finished, "Stream: finish() called twice")
            finished = true
            return Tensor.withoutGrad { run(nil) }
        }

        /// Forgets all context: the next block starts at frame 0.
        public func reset() {
            frames = 0
            emitted = 0
            finished = false
            layerStates = Array(repeating: LayerState(), count: encoder.layers.count)
        }

        /// New layer-0 input (nil when only flushing) through all layers and the final norm.
        func run(_ input: Tensor?) -> Tensor? {
            var h = input
            for i in encoder.layers.indices { h = advance(layer: i, input: h) }
            guard let h else { return nil }
            emitted += h.shape[1]
            return encoder.finalNorm(h)
        }

        /// Appends input frames [1, n, D] to layer i and returns the outputs of every chunk whose context is
        /// complete (all of them once `finished`), or nil.
        func advance(layer i: Int, input: Tensor?) -> Tensor? {
            let layer = encoder.layers[i], c = config.chunkSize
            var s = layerStates[i]
            defer { layerStates[i] = s }
            if let input {
                let kv = layer.keysValues(input)                                      // [1, H, n, d]
                s.keys = s.keys.map { Tensor.concat([$0, kv.keys], axis: 2) } ?? kv.keys
                s.values = s.values.map { Tensor.concat([$0, kv.values], axis: 2) } ?? kv.values
                s.pending = s.pending.map { Tensor.concat([$0, input], axis: 1) } ?? input
                s.received += input.shape[1]
            }
            var outputs: [Tensor] = []
            while s.pendingStart < s.received {
                let chunk = s.pendingStart / c
                let context = config.context(ofChunk: chunk)
                let chunkEnd = min((chunk + 1) * c, s.received)
                guard finished || s.received >= context.upperBound else { break }
                let keyRange = (context.lowerBound - s.keyStart)..<(min(context.upperBound, s.received) - s.keyStart)
                let x = s.pending!.slice(axis: 1, 0..<(chunkEnd - s.pendingStart))  // [1, C, D]
                outputs.append(layer.step(x, keys: s.keys!.slice(axis: 2, keyRange), values: s.values!.slice(axis: 2, keyRange)))
                s.pending = chunkEnd < s.received ? s.pending!.slice(axis: 1, (chunkEnd - s.pendingStart)..<(s.received - s.pendingStart)) : nil
                s.pendingStart = chunkEnd
                // Keep only the frames the next chunk may still see.
                let keep = config.context(ofChunk: chunk + 1).lowerBound
                if keep > s.keyStart, let k = s.keys, let v = s.values {
                    let n = s.received - s.keyStart, drop = min(keep - s.keyStart, n)
                    s.keys = drop < n ? k.slice(axis: 2, drop..<n) : nil
                    s.values = drop < n ? v.slice(axis: 2, drop..<n) : nil
                    s.keyStart += drop
                }
            }
            return outputs.isEmpty ? nil : (outputs.count == 1 ? outputs[0] : Tensor.concat(outputs, axis: 1))
        }
    }

    /// A new streaming session with this encoder's weights.
    public func stream(_ config: ChunkConfig) -> Stream { Stream(encoder: self, config: config) }
}
