// The listener run incrementally for streaming: feature frames go in as they arrive, encoder frames come out
// as soon as the latency-controlled BiLSTM allows (a chunk plus its look-ahead per layer), or, for a Transformer
// encoder, as soon as a chunk and its look-ahead are in (TransformerEncoder.Stream, keys and values cached).
// Equals the whole-input listener with the same chunking; memory stays bounded by the chunk windows (for the
// Transformer, by left_chunks).
import NN
import Tensor

/// Streams features [n, F] → encoder frames [m, E] (flat rows). Batch of one, no tape.
public final class ListenerStream {
    public let listener: Listener
    public let spec: ChunkSpec?
    private let conv: ConvStream?
    private var layers: [LayerStream]
    private let shared: SharedLookaheadStack?
    private let transformer: TransformerEncoder.Stream?
    /// Encoder frames emitted so far.
    public private(set) var emitted = 0

    public init(listener: Listener, spec: ChunkSpec?) {
        precondition(listener.config.subsampling.kind != .pyramid, "ListenerStream: pyramid subsampling does not stream; use conv2d")
        precondition(spec != nil || (listener.transformer == nil && listener.layers.allSatisfy { $0.backward == nil }),
                     "ListenerStream: a bidirectional or Transformer encoder needs a chunk spec to stream")
        self.listener = listener
        self.spec = spec
        conv = listener.conv.map { ConvStream(conv: $0) }
        if let spec, spec.mode == .shared, listener.transformer == nil, !listener.layers.isEmpty {
            shared = SharedLookaheadStack(layers: listener.layers, spec: spec)
            layers = []
        } else {
            shared = nil
            layers = listener.layers.map { LayerStream(layer: $0, spec: spec) }
        }
        if let encoder = listener.transformer, let spec {
            transformer = TransformerEncoder.Stream(encoder: encoder, config: ChunkConfig(
                chunkSize: spec.chunk, leftChunks: listener.config.encoder.leftChunks, lookAhead: spec.lookahead))
        } else {
            transformer = nil
        }
    }

    /// Feeds normalized feature rows (count a multiple of F); returns the encoder frames now final.
    public func accept(_ features: [Float]) -> [Float] {
        Tensor.withoutGrad { pass(conv.map { $0.accept(features) } ?? features, final: false) }
    }

    /// Ends the stream; returns the remaining encoder frames.
    public func finish() -> [Float] {
        Tensor.withoutGrad { pass(conv.map { $0.finish() } ?? [], final: true) }
    }

    private func pass(_ input: [Float], final: Bool) -> [Float] {
        if let transformer {
            let d = listener.config.subsampledDim
            var out = [Float]()
            if input.count >= d, let y = transformer(Tensor(shape: [1, input.count / d, d], data: input)) { out += y.data }
            if final, let y = transformer.finish() { out += y.data }
            emitted += out.count / listener.outputDim
            return out
        }
        if let shared {
            let out = final ? shared.finish(input) : shared.accept(input)
            emitted += out.count / listener.outputDim
            return out
        }
        var h = input
        for l in layers { h = final ? l.finish(h) : l.accept(h) }
        emitted += h.count / listener.layers.last!.outputDim
        return h
    }
}

/// The two 3×3 convolutions of `ConvSubsampling` over time (stride 2, then 2 or 1), computed for each output frame
/// once its inputs are there.
final class ConvStream {
    let conv: ConvSubsampling
    private var input = [Float]()       // buffered input frames [n, F]
    private var inputBase = 0           // absolute index of input[0]
    private var inputCount = 0          // frames received
    private var mid = [Float]()         // conv1 outputs after ReLU, [m, C·F1]
    private var midBase = 0
    private var midCount = 0            // conv1 frames computed
    private var outCount = 0            // conv2 frames computed
    private let f: Int, f1: Int

    init(conv: ConvSubsampling) {
        self.conv = conv
        f = conv.inputDim
        f1 = ConvSubsampling.reduce(conv.inputDim)
    }

    func accept(_ rows: [Float]) -> [Float] {
        input += rows
        inputCount += rows.count / f
        return advance(final: false)
    }

    func finish() -> [Float] { advance(final: true) }

    /// Output i of a stride-2, pad-1, kernel-3 conv needs inputs 2i−1…2i+1; past the end is zero padding.
    private func advance(final: Bool) -> [Float] {
        let c = conv.channels
        // conv1: outputs midCount ..< n1 where n1 counts outputs whose last input (2i+1) has arrived.
        let n1 = final ? ConvSubsampling.reduce(inputCount) : (inputCount >= 2 ? (inputCount - 2) / 2 + 1 : 0)
        if n1 > midCount {
            let rows = window(input, base: inputBase, count: inputCount, from: 2 * midCount - 1, to: 2 * n1, width: f)
            let x = Tensor(shape: [1, 1, rows.count / f, f], data: rows)
            let y = Tensor.conv2d(x, weight: conv.conv1w, bias: conv.conv1b, stride: (2, 2), padding: (0, 1)).relu()  // [1, C, n, F1]
            mid += y.permuted([0, 2, 1, 3]).data
            midCount = n1
            // Inputs before 2·midCount − 1 are no longer needed.
            trim(&input, base: &inputBase, keepFrom: 2 * midCount - 1, width: f)
        }
        // conv2, time stride s (2, or 1 at time reduction 2): output i needs conv1 outputs s·i−1…s·i+1.
        let s = conv.secondTimeStride
        let n2 = final ? (s == 2 ? ConvSubsampling.reduce(midCount) : midCount) : (midCount >= 2 ? (midCount - 2) / s + 1 : 0)
        var out = [Float]()
        if n2 > outCount {
            let w = c * f1
            let rows = window(mid, base: midBase, count: midCount, from: s * outCount - 1, to: s * (n2 - 1) + 2, width: w)
            let x = Tensor(shape: [1, rows.count / w, c, f1], data: rows).permuted([0, 2, 1, 3])  // [1, C, n, F1]
            let y = Tensor.conv2d(x, weight: conv.conv2w, bias: conv.conv2b, stride: (s, 2), padding: (0, 1)).relu()
            out = y.permuted([0, 2, 1, 3]).data                                                    // [n2', C·F2]
            outCount = n2
            trim(&mid, base: &midBase, keepFrom: s * outCount - 1, width: w)
        }
        return out
    }

    /// Frames [from, to) of a buffer holding frames [base, count), zero where outside [0, count).
    private func window(_ buf: [Float], base: Int, count: Int, from: Int, to: Int, width: Int) -> [Float] {
        var rows = [Float]()
        rows.reserveCapacity((to - from) * width)
        for t in from..<to {
            if t >= 0 && t < count {
                let o = (t - base) * width
                rows += buf[o..<(o + width)]
            } else {
                rows += [Float](repeating: 0, count: width)
            }
        }
        return rows
    }

    private func trim(_ buf: inout [Float], base: inout Int, keepFrom: Int, width: Int) {
        let drop = max(0, keepFrom - base)
        guard drop > 0 else { return }
        buf.removeFirst(min(drop * width, buf.count))
        base += drop
    }
}

/// One BiLSTM layer streamed: the forward direction runs on frames as they come; the backward direction runs
/// per chunk over chunk + look-ahead from a zero state, as in `BiLSTMLayer.chunkedBackward`.
final class LayerStream {
    let layer: BiLSTMLayer
    let spec: ChunkSpec?
    private var h: Tensor?, c: Tensor?
    private var pendingInput = [Float]()   // inputs from frame `base` on (for the backward windows)
    private var pendingForward = [Float]() // forward outputs from frame `base` on, waiting for backward
    private var base = 0
    private var received = 0
    private let f: Int, hidden: Int

    init(layer: BiLSTMLayer, spec: ChunkSpec?) {
        self.layer = layer
        self.spec = spec
        f = layer.forward.wIH.shape[1]
        hidden = layer.forward.hidden
    }

    func accept(_ rows: [Float]) -> [Float] { step(rows, final: false) }
    func finish(_ rows: [Float]) -> [Float] { step(rows, final: true) }

    private func step(_ rows: [Float], final: Bool) -> [Float] {
        let n = rows.count / f
        if n > 0 {
            let r = layer.forward(Tensor(shape: [1, n, f], data: rows), lengths: [n], h0: h, c0: c)
            h = r.h; c = r.c
            pendingForward += r.output.data
            pendingInput += rows
            received += n
        }
        guard let backward = layer.backward, let spec else {
            let out = pendingForward
            pendingForward = []; pendingInput = []; base = received
            return out
        }
        var out = [Float]()
        // Emit whole chunks whose window [start, start + C + R) has arrived (or everything at the end).
        while base < received {
            let end = min(base + spec.chunk, received)
            let windowEnd = min(base + spec.chunk + spec.lookahead, received)
            if !final && (base + spec.chunk + spec.lookahead > received) { break }
            let w = windowEnd - base
            let x = Tensor(shape: [1, w, f], data: Array(pendingInput[0..<(w * f)]))
            let b = backward(x, lengths: [w], reverse: true).output.data                 // [w, H]
            let k = end - base
            out += concatFrames(pendingForward, b, frames: k, width: hidden)
            pendingForward.removeFirst(k * hidden)
            pendingInput.removeFirst(k * f)
            base = end
        }
        return out
    }
}

/// Frames [0, n) of two [≥ n, width] row-major outputs side by side: [n, 2·width] (forward ‖ backward).
func concatFrames(_ a: [Float], _ b: [Float], frames n: Int, width: Int) -> [Float] {
    var y = [Float]()
    y.reserveCapacity(n * 2 * width)
    for t in 0..<n {
        y += a[(t * width)..<((t + 1) * width)]
        y += b[(t * width)..<((t + 1) * width)]
    }
    return y
}
