// The whole model's gradient (BiLSTM and Transformer encoders, location-aware speller) on a padded batch of very
// different lengths equals the sum of the per-utterance gradients (losses weighted by their token counts).
import Features
import Model
import NN
import Tensor
import TestSupport
import XCTest

final class BatchGradientTests: XCTestCase {
    func run(_ model: SpeechRecognizer, _ feats: [FeatureMatrix], _ toks: [[Int]]) -> [[Float]] {
        for p in model.parameters { p.zeroGrad() }
        let (x, lengths) = SpeechRecognizer.batch(feats)
        let (values, encLengths) = model.encode(x, lengths: lengths)
        let inputs = toks.map { [Vocabulary.sos] + $0 }
        let targets = toks.map { $0 + [Vocabulary.eos] }
        let u = inputs.map(\.count).max()!
        var flat = [Int](repeating: 0, count: toks.count * u)
        for (b, t) in targets.enumerated() { for (i, tok) in t.enumerated() { flat[b * u + i] = tok } }
        let logits = model.decodeTeacherForced(values: values, lengths: encLengths, inputs: inputs)
        let n = Float(targets.map(\.count).reduce(0, +))
        Tensor.crossEntropy(logits: logits.reshaped([toks.count * u, logits.shape[2]]), targets: flat).scaled(n).backward()
        return model.parameters.map { $0.grad ?? [Float](repeating: 0, count: $0.count) }
    }

    func testBatchGradientEqualsSumOfSingles() {
        for kind in [EncoderConfig.Kind.blstm, .transformer] {
            var c = tinyConfig(.location)
            c.encoder.kind = kind
            c.encoder.layers = 1; c.encoder.hidden = 64; c.decoder.hidden = 128; c.decoder.embedding = 32
            c.attention.dim = 64; c.subsampling.channels = 8; c.attention.locationKernel = 31; c.attention.locationFilters = 10
            c.encoder.dModel = 8; c.encoder.heads = 2; c.encoder.feedForward = 16
            let model = SpeechRecognizer(config: c)
            let feats = [randomFeatures(frames: 341, seed: 1), randomFeatures(frames: 223, seed: 2), randomFeatures(frames: 90, seed: 3)]
            let toks = [Array(repeating: [5, 6, 7, 8, 9, 2], count: 10).flatMap { $0 }, Array(repeating: [10, 11, 2], count: 12).flatMap { $0 }, [12, 13, 14]]
            let batched = run(model, feats, toks)
            var single = model.parameters.map { [Float](repeating: 0, count: $0.count) }
            for b in 0..<3 {
                let g = run(model, [feats[b]], [toks[b]])
                for k in g.indices { for i in g[k].indices { single[k][i] += g[k][i] } }
            }
            for (k, (name, _)) in model.namedParameters.enumerated() {
                XCTAssertLessThan(maxAbsDifference(batched[k], single[k]), 1e-2 * max(1, single[k].map(abs).max()!), "\(kind) \(name)")
            }
        }
    }
}

