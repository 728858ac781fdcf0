// A readable summary of a model: parameters per block, kinds, streaming settings and an estimate of the
// forward FLOPs per second of audio. Used by `scribe info` and as the default model card.
import Foundation
import NN

public struct ModelSummary {
    public let model: SpeechRecognizer

    public init(model: SpeechRecognizer) { self.model = model }

    /// (block name, parameter count) for the top-level blocks.
    public var blocks: [(String, Int)] {
        var out = [(String, Int)]()
        if let conv = model.listener.conv { out.append(("encoder.conv (two Conv2d 3×3, time reduction \(conv.timeReduction))", conv.parameterCount)) }
        for (i, l) in model.listener.layers.enumerated() {
            out.append(("encoder.lstm\(i) (\(l.backward == nil ? "uni" : "bi")directional, \(l.forward.hidden) units)", l.parameterCount))
        }
        if let t = model.listener.transformer {
            out.append(("encoder.transformer.input (Linear → \(t.dim))", t.inputProj.parameterCount))
            for (i, l) in t.layers.enumerated() { out.append(("encoder.transformer.layer\(i) (pre-LN, \(t.heads) heads)", l.parameterCount)) }
            out.append(("encoder.transformer.norm", t.finalNorm.parameterCount))
        }
        if let t = model.transformerDecoder {
            out.append(("decoder.embedding", t.embedding.parameterCount))
            for (i, l) in t.layers.enumerated() { out.append(("decoder.layer\(i) (self + cross attention, \(t.dim) wide)", l.parameterCount)) }
            out.append(("decoder.norm + output", t.finalNorm.parameterCount + t.outputProj.parameterCount))
            if let p = model.memoryProj { out.append(("decoder.memory projection", p.parameterCount)) }
        } else {
            let s = model.speller!
            out.append(("decoder.embedding", s.embedding.parameterCount))
            out.append(("decoder.cell (LSTM \(s.hidden))", s.cell.parameterCount))
            out.append(("decoder.attention (\(s.attention.kind.rawValue))", s.attention.parameterCount))
            out.append(("decoder.output", s.output.parameterCount))
        }
        if let ctc = model.ctcHead { out.append(("ctc head", ctc.parameterCount)) }
        return out
    }

    /// Forward multiply-adds ×2 per second of audio, assuming an 8 s utterance and 15 characters per second.
    public var flopsPerSecond: Double {
        let c = model.config
        let fps = c.features.framesPerSecond
        var flops = 0.0
        var encFrames = fps
        if let conv = model.listener.conv {
            let t1 = fps / 2, f1 = Double(ConvSubsampling.reduce(c.features.nMels))
            let t2 = t1 / Double(conv.secondTimeStride), f2 = Double(ConvSubsampling.outputLength(c.features.nMels))
            let ch = Double(conv.channels)
            flops += 2 * ch * 9 * t1 * f1 + 2 * ch * ch * 9 * t2 * f2
            encFrames = t2
        }
        for l in model.listener.layers {
            let h = Double(l.forward.hidden), input = Double(l.forward.wIH.shape[1])
            flops += Double(l.backward == nil ? 1 : 2) * 2 * 4 * h * (input + h) * encFrames
        }
        if let t = model.listener.transformer {
            let d = Double(t.dim), ff = Double(c.encoder.feedForward), span = encFrames * 8
            flops += 2 * Double(t.inputDim) * d * encFrames
            flops += Double(t.layers.count) * encFrames * (2 * 4 * d * d + 2 * 2 * d * ff + 2 * 2 * span * d)
        }
        let e = Double(c.encoderOutputDim), a = Double(c.attention.dim), hd = Double(c.decoder.hidden)
        let emb = Double(c.decoder.embedding), v = Double(c.vocabulary.count)
        let frames8s = encFrames * 8, chars = 15.0
        flops += 2 * e * a * encFrames                                          // keys, once per frame
        var perStep = 2 * 4 * hd * (emb + e + hd) + 2 * (hd + e) * v + 2 * hd * a  // cell, output, query
        perStep += 2 * a * frames8s + 2 * e * frames8s                          // scores, context
        if c.attention.kind == .location {
            perStep += 2 * Double(c.attention.locationFilters) * Double(c.attention.locationKernel) * frames8s
            perStep += 2 * Double(c.attention.locationFilters) * a * frames8s
        }
        return flops + perStep * chars
    }

    public var parameterCount: Int { model.parameterCount }

    /// Text lines for `scribe info`.
    public func lines() -> [String] {
        let c = model.config
        var out = [String]()
        out.append("parameters: \(parameterCount.formatted()) (\(String(format: "%.1f", Double(parameterCount * 4) / 1_048_576)) MB as float32)")
        for (name, n) in blocks { out.append("  \(name): \(n.formatted())") }
        out.append("front end: \(c.features.nMels) log-mel bands, \(c.features.winLength)/\(c.features.hopLength)-sample window/hop at \(c.features.sampleRate) Hz, normalization: \(c.normalization.kind.rawValue)\(c.normalization.onlineMean.map { " + online mean (window \($0.window) frames, prior \($0.priorFrames))" } ?? "")")
        out.append("subsampling: \(c.subsampling.kind.rawValue) → \(String(format: "%g", c.encoderFrameRate)) encoder frames/s")
        if c.encoder.kind == .transformer {
            out.append("encoder: transformer, \(c.encoder.layers) pre-LN layers, d_model \(c.encoder.dModel), \(c.encoder.heads) heads, feed-forward \(c.encoder.feedForward)")
        } else {
            out.append("encoder: \(c.encoder.kind.rawValue), \(c.encoder.layers) layers × \(c.encoder.hidden) units\(c.encoder.bidirectional ? " per direction" : "")")
        }
        if let s = c.encoder.streaming {
            let ms = { (frames: Int) in 1000 * Double(frames) / c.encoderFrameRate }
            if c.encoder.kind == .transformer {
                out.append(String(format: "streaming: chunk %d frames (%.0f ms), look-ahead %d frames (%.0f ms) per layer, %d chunks of left context",
                                  s.chunk, ms(s.chunk), s.lookahead, ms(s.lookahead), c.encoder.leftChunks))
            } else if c.encoder.bidirectional {
                // The newest input frame a chunk's first frame waits for (see StreamLookahead).
                let wait = s.chunk + s.lookahead + (s.mode == .layered ? (c.encoder.layers - 1) * s.chunk : 0)
                let mode = s.mode == .layered ? "per layer (layered)" : "shared by all layers"
                out.append(String(format: "streaming: chunk %d frames (%.0f ms), look-ahead %d frames (%.0f ms) ", s.chunk, ms(s.chunk), s.lookahead, ms(s.lookahead))
                           + mode + String(format: "; a chunk is encoded %.0f ms after it starts", ms(wait)))
            } else {
                out.append(String(format: "streaming: unidirectional, chunk %d frames (%.0f ms)", s.chunk, ms(s.chunk)))
            }
        } else {
            out.append("streaming: off (offline encoder)")
        }
        if c.decoder.kind == .transformer {
            out.append("attention: multi-head cross-attention in each decoder layer (\(c.decoder.heads) heads)")
            out.append("decoder: transformer, \(c.decoder.layers) layers, d_model \(c.decoder.hidden), feed-forward \(c.decoder.feedForward), vocabulary \(c.vocabulary.count)")
        } else {
            out.append("attention: \(c.attention.kind.rawValue), dim \(c.attention.dim)")
            out.append("decoder: \(c.decoder.kind.rawValue), \(c.decoder.hidden) units, embedding \(c.decoder.embedding), vocabulary \(c.vocabulary.count)")
        }
        out.append("CTC head: \(c.ctcWeight > 0 ? "yes, training weight \(c.ctcWeight); decoding λ \(c.decoding.ctcWeight)" : "no")")
        out.append(String(format: "forward cost: %.2f GFLOP per second of audio (8 s utterance, 15 characters/s)", flopsPerSecond / 1e9))
        return out
    }

    /// The generated model card used when none is given.
    public func markdown() -> String {
        "# Scribe model\n\nGenerated summary (no training notes were given).\n\n```\n" + lines().joined(separator: "\n") + "\n```\n"
    }
}
