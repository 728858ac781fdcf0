// A stack of BiLSTM layers over chunks with one look-ahead window shared by all layers (`StreamLookahead.shared`),
// for whole inputs with gradients (training, evaluation); `ListenerStream` computes the same thing incrementally.
import Tensor

public enum SharedLookaheadBiLSTM {
    /// x [B, T, F], lengths → [B, T, E] (E = the last layer's output width).
    ///
    /// Chunk k covers frames [kC, kC + C); its window adds the look-ahead [kC + C, kC + C + R). Per layer:
    /// - the forward direction runs over the whole sequence of chunk frames (exact, state carried across chunks);
    /// - both directions run over each window [B·K, C + R, F] from zero states; the backward outputs of the chunk
    ///   frames are kept, and the look-ahead frames' forward and backward outputs are their provisional encodings,
    ///   the next layer's look-ahead input.
    /// With R = 0 this is the layered chunked encoder (`BiLSTMLayer.callAsFunction(_:lengths:chunks:)`).
    /// `between` (training: dropout) is applied to every layer's outputs but the last, look-ahead encodings included.
    public static func encode(_ layers: [BiLSTMLayer], _ x: Tensor, lengths: [Int], spec: ChunkSpec,
                              between: (Tensor) -> Tensor = { $0 }) -> Tensor {
        let (nb, nt) = (x.shape[0], x.shape[1])
        let c = spec.chunk, r = spec.lookahead, w = c + r
        guard r > 0 else {
            return layers.enumerated().reduce(x) { h, item in
                let out = item.element(h, lengths: lengths, chunks: spec)
                return item.offset < layers.count - 1 ? between(out) : out
            }
        }
        let k = BiLSTMLayer.chunkCount(frames: nt, chunk: c)
        let windowLengths = BiLSTMLayer.windowLengths(lengths, frames: nt, chunk: c, count: w)
        var real = x                                        // [B, T, F]: the chunk frames' outputs so far
        var ahead = BiLSTMLayer.chunkRows(x, chunk: c, offset: c, count: r)          // [B·K, R, F]: each window's look-ahead inputs
        for (index, layer) in layers.enumerated() {
            if index > 0 { real = between(real); ahead = between(ahead) }
            let forward = layer.forward(real, lengths: lengths).output                              // [B, T, H]
            let window = Tensor.concat([BiLSTMLayer.chunkRows(real, chunk: c, offset: 0, count: c), ahead], axis: 1)         // [B·K, W, F]
            let windowForward = layer.forward(window, lengths: windowLengths).output                // [B·K, W, H]
            guard let backward = layer.backward else {
                real = forward
                ahead = windowForward.slice(axis: 1, c..<w)
                continue
            }
            let windowBackward = backward(window, lengths: windowLengths, reverse: true).output     // [B·K, W, H]
            var chunkBackward = windowBackward.slice(axis: 1, 0..<c).reshaped([nb, k * c, layer.forward.hidden])
            if k * c != nt { chunkBackward = chunkBackward.slice(axis: 1, 0..<nt) }
            real = Tensor.concat([forward, chunkBackward], axis: 2)                                 // [B, T, 2H]
            ahead = Tensor.concat([windowForward.slice(axis: 1, c..<w), windowBackward.slice(axis: 1, c..<w)], axis: 2)
        }
        return real
    }
}
