// A stack of BiLSTM layers streamed chunk by chunk with one look-ahead window shared by all layers
// (`StreamLookahead.shared`); equals `SharedLookaheadBiLSTM.encode` on the whole input.
import NN
import Tensor

/// Streams encoder-input frames [n, F] → encoder frames [n, E] (flat rows), batch of one, no tape. Chunk k's
/// frames come out as soon as frames [kC, kC + C + R) have arrived.
final class SharedLookaheadStack {
    let layers: [BiLSTMLayer]
    let spec: ChunkSpec
    private var h: [Tensor?], c: [Tensor?]  // each layer's forward state after the last emitted chunk
    private var pending = [Float]()          // input rows from frame `base` on
    private var base = 0
    private var received = 0
    private let f: Int

    init(layers: [BiLSTMLayer], spec: ChunkSpec) {
        precondition(!layers.isEmpty, "SharedLookaheadStack: no layers")
        self.layers = layers
        self.spec = spec
        h = Array(repeating: nil, count: layers.count)
        c = Array(repeating: nil, count: layers.count)
        f = layers[0].forward.wIH.shape[1]
    }

    func accept(_ rows: [Float]) -> [Float] { step(rows, final: false) }
    func finish(_ rows: [Float]) -> [Float] { step(rows, final: true) }

    private func step(_ rows: [Float], final: Bool) -> [Float] {
        pending += rows
        received += rows.count / f
        var out = [Float]()
        while base < received {
            if !final && base + spec.chunk + spec.lookahead > received { break }
            let k = min(spec.chunk, received - base)                        // chunk frames
            let w = min(spec.chunk + spec.lookahead, received - base)       // chunk + look-ahead frames
            var x = Array(pending[0..<(w * f)]), dim = f
            for (i, layer) in layers.enumerated() {
                let chunk = layer.forward(Tensor(shape: [1, k, dim], data: Array(x[0..<(k * dim)])), lengths: [k], h0: h[i], c0: c[i])
                h[i] = chunk.h; c[i] = chunk.c
                var forward = chunk.output.data                                              // [k, H]
                if w > k {  // the look-ahead frames' provisional forward outputs: over the window from a zero state
                    let window = layer.forward(Tensor(shape: [1, w, dim], data: x), lengths: [w]).output.data
                    forward += window[(k * layer.forward.hidden)...]
                }
                guard let backward = layer.backward else { x = forward; dim = layer.forward.hidden; continue }
                let b = backward(Tensor(shape: [1, w, dim], data: x), lengths: [w], reverse: true).output.data  // [w, H]
                x = concatFrames(forward, b, frames: w, width: layer.forward.hidden)
                dim = 2 * layer.forward.hidden
            }
            out += x[0..<(k * dim)]
            pending.removeFirst(k * f)
            base += k
        }
        return out
    }
}
