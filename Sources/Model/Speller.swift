// The LAS speller: s_i = LSTMCell([emb(y_{i−1}); c_{i−1}], s_{i−1}); attention queried with s_i gives c_i and
// α_i; logits = Linear([s_i; c_i]). One step at a time, batched over sequences or hypotheses.
import NN
import Tensor

/// The speller's recurrent state for B sequences: h, c [B, H]; context [B, E]; alignment [B, T].
public struct SpellerState {
    public var h: Tensor
    public var c: Tensor
    public var context: Tensor
    public var alignment: Tensor

    /// The state of the hypotheses `indices` (beam reordering).
    public func select(_ indices: [Int]) -> SpellerState {
        SpellerState(h: h.indexSelect(indices, axis: 0), c: c.indexSelect(indices, axis: 0),
                     context: context.indexSelect(indices, axis: 0), alignment: alignment.indexSelect(indices, axis: 0))
    }
}

/// tokens [B] + state + memory → logits [B, V] + new state.
public final class Speller: Layer {
    public let embedding: Embedding
    public let cell: LSTMDirection
    public let attention: AttentionMechanism
    public let output: Linear
    public let hidden: Int
    public let contextDim: Int

    public init(config: ModelConfig, rng: inout RNG) {
        let e = config.encoderOutputDim, d = config.decoder
        hidden = d.hidden
        contextDim = e
        embedding = Embedding(vocabulary: config.vocabulary.count, dim: d.embedding, rng: &rng)
        cell = LSTMDirection(input: d.embedding + e, hidden: d.hidden, rng: &rng)
        attention = makeAttention(config.attention.kind, query: d.hidden, value: e, dim: config.attention.dim,
                                  heads: config.attention.heads, locationFilters: config.attention.locationFilters,
                                  locationKernel: config.attention.locationKernel, rng: &rng)
        output = Linear(d.hidden + e, config.vocabulary.count, rng: &rng)
    }

    public var namedParameters: [(String, Tensor)] {
        scoped("embedding", embedding) + scoped("cell", cell) + scoped("attention", attention) + scoped("output", output)
    }

    /// Zeros for h, c and context; α₀ uniform over each sequence's frames.
    public func initialState(memory: AttentionMemory) -> SpellerState {
        let b = memory.values.shape[0]
        return SpellerState(h: Tensor.zeros([b, hidden]), c: Tensor.zeros([b, hidden]),
                            context: Tensor.zeros([b, contextDim]), alignment: memory.uniformAlignment())
    }

    /// One output step for B sequences: previous tokens [B] → logits [B, V] and the new state.
    /// `drop` (training: dropout) is applied to the embedding and to the LSTM output that queries the attention and
    /// feeds the output layer; the recurrent state carried to the next step is not dropped (ESPnet's RNN decoder).
    public func step(_ tokens: [Int], state: SpellerState, memory: AttentionMemory,
                     drop: (Tensor) -> Tensor = { $0 }) -> (logits: Tensor, state: SpellerState) {
        let emb = drop(embedding(tokens))                                              // [B, Emb]
        let input = Tensor.concat([emb, state.context], axis: 1)                       // [B, Emb + E]
        let (h, c) = cell.cell(input, h: state.h, c: state.c)                          // [B, H]
        let query = drop(h)                                                            // [B, H]
        let (context, alpha) = attention.attend(query: query, memory: memory, previous: state.alignment)  // [B, E], [B, T]
        let logits = output(Tensor.concat([query, context], axis: 1))                  // [B, V]
        return (logits, SpellerState(h: h, c: c, context: context, alignment: alpha))
    }
}
