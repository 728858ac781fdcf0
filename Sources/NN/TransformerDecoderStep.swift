// The Transformer decoder's one-step search contract: initial state from the encoder memory, step(previous
// tokens, state) → (log-probs, state, attention), reorder(state, beam indices). Caches keys/values per layer.
import Tensor

extension TransformerDecoder {
    /// Decoding state of B hypotheses: per layer, the self-attention keys/values of the positions so far and
    /// the memory keys/values. `memoryRows[b]` is the memory row (utterance) hypothesis b reads, so a
    /// reorder that keeps every hypothesis on the same utterance (beam search over one) copies no memory.
    public struct State {
        public internal(set) var position: Int
        public internal(set) var memoryRows: [Int]
        var caches: [TransformerDecoderLayer.Cache]
        /// Memory padding mask [B, 1, 1, T].
        var memoryMask: Tensor

        /// Number of hypotheses.
        public var batch: Int { memoryRows.count }
    }

    /// The state before the first step, for memory [B, T, D] with lengths [B]: `hypotheses` identical
    /// hypotheses per utterance (rows b·hypotheses ..< (b+1)·hypotheses read utterance b).
    public func initialState(memory: Tensor, memoryLengths: [Int], hypotheses: Int = 1) -> State {
        precondition(memory.rank == 3 && memory.shape[2] == dim && memoryLengths.count == memory.shape[0] && hypotheses >= 1,
                     "TransformerDecoder: memory \(memory.shape) with \(memoryLengths.count) lengths, \(hypotheses) hypotheses")
        let state = State(position: 0, memoryRows: Array(0..<memory.shape[0]), caches: layers.map { $0.makeCache(memory: memory) },
                          memoryMask: AttentionMask.padding(lengths: memoryLengths, frames: memory.shape[1]))
        return hypotheses == 1 ? state : reorder(state, indices: state.memoryRows.flatMap { Array(repeating: $0, count: hypotheses) })
    }

    /// One step: previousTokens [B] (sos first) → (log-probs [B, V] of the next token, the new state,
    /// the last layer's cross-attention weights averaged over heads [B, T]). Run search under `Tensor.withoutGrad`.
    public func step(previousTokens: [Int], state: State) -> (logProbs: Tensor, state: State, attention: Tensor) {
        let b = previousTokens.count
        precondition(b == state.batch, "TransformerDecoder.step: \(b) tokens for \(state.batch) hypotheses")
        var next = state
        var h = embed(previousTokens, shape: [b, 1], offset: state.position)               // [B, 1, D]
        var weights: Tensor?
        for i in layers.indices {
            let r = layers[i].step(h, cache: &next.caches[i], memoryMask: state.memoryMask)
            h = r.output                                                                // [B, 1, D]
            weights = r.weights                                                         // [B, H, 1, T]
        }
        next.position += 1
        let logProbs = outputProj(finalNorm(h)).reshaped([b, vocabulary]).logSoftmax()   // [B, V]
        let t = state.memoryMask.shape[3]
        return (logProbs, next, weights!.mean(axis: 1).reshaped([b, t]))               // [B, T]
    }

    /// The state of hypotheses `indices` (beam reordering and expansion along the batch axis).
    public func reorder(_ state: State, indices: [Int]) -> State {
        let rows = indices.map { state.memoryRows[$0] }
        let memoryToo = rows != state.memoryRows
        return State(position: state.position, memoryRows: rows,
                     caches: state.caches.map { $0.select(indices, memoryToo: memoryToo) },
                     memoryMask: memoryToo ? state.memoryMask.indexSelect(indices, axis: 0) : state.memoryMask)
    }
}
