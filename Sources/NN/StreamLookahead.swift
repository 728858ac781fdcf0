// How a chunked multi-layer BiLSTM encoder passes each chunk's look-ahead frames from layer to layer.

/// - `layered`: every layer's look-ahead frames are that layer's final outputs, so a layer waits until the layer
///   below has finished them: a chunk's output comes chunk + look-ahead + (layers − 1)·chunk frames after its start.
/// - `shared`: a latency-controlled BiLSTM in the manner of Zhang et al. 2016 ("Highway long short-term memory RNNs
///   for distant speech recognition"): all layers share one window, the chunk plus its look-ahead, and the
///   look-ahead frames' outputs are provisional, computed by both directions over that window from zero states.
///   A chunk's output comes chunk + look-ahead frames after its start, whatever the depth. Training and streaming
///   compute the same thing, so a model should be trained (or fine-tuned) in the mode it streams with.
public enum StreamLookahead: String, CaseIterable, Codable, Sendable {
    case layered, shared
}
