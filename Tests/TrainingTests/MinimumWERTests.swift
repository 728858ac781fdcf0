// Minimum word error rate training: the loss's numerical gradients; its value against a by-hand computation from
// teacher-forced sequence probabilities; lists without a spread of errors left out; the N-best lists (distinct,
// scored as `scribe eval` scores); the shards of a data-parallel step adding up with it; its config keys and checks;
// a joint CTC/attention N-best that is `scribe transcribe`'s search; the lists renormalized by the search's own scores;
// the term left out of streaming batches when asked; and a run logging the expected errors.
import Decoding
import Evaluation
import Foundation
import Model
import NN
import Tensor
import TestSupport
@testable import Training
import XCTest

final class MinimumWERTests: XCTestCase {
    private func tinyModel() throws -> SpeechRecognizer {
        try ModelDirectory.load(TestPaths.repo("Tests/Fixtures/tiny-model"))
    }

    /// The shape [3, T', E] of the encoder's output for three inputs of `frames` feature frames.
    private func encoderShape(_ model: SpeechRecognizer, frames: Int = 40) -> [Int] {
        let x = seededTensor([3, frames, model.config.features.nMels], seed: 7)
        return Tensor.withoutGrad { model.encode(x, lengths: [frames, frames, frames]) }.values.shape
    }

    /// The tiny test model's architecture and weights in a training config (they decode the clips into lists whose
    /// hypotheses differ in word errors; a fresh model's all score the same).
    private func trainedConfig(steps: Int) throws -> (TrainingConfig, SpeechRecognizer) {
        let model = try tinyModel()
        var c = tinyTrainingConfig(steps: steps)
        c.model = model.config
        return (c, model)
    }

    /// The clip manifest in `dir` loaded for a run of `trainedConfig(steps:)` with the term on (weight 1, `beam`).
    private func clipRun(in dir: URL, steps: Int, beam: Int) throws -> (TrainingConfig, SpeechRecognizer, Dataset) {
        let manifest = try clipManifest(in: dir)
        var (config, model) = try trainedConfig(steps: steps)
        config.mwer.weight = 1
        config.mwer.beam = beam
        let (data, _) = try Dataset.load(try Manifest.read(manifest).entries, config: config.model, manifestPath: manifest)
        return (config, model, data)
    }

    /// Three lists: the first two with a spread of errors, the third with equal errors (no gradient, left out).
    private let lists = [
        MinimumWERLoss.NBest(tokens: [[5, 6], [5], [7, 8, 9]], errors: [0, 1, 2]),
        MinimumWERLoss.NBest(tokens: [[4], [4, 4]], errors: [1, 0]),
        MinimumWERLoss.NBest(tokens: [[3], [9]], errors: [1, 1]),
    ]

    func testGradientsMatchCentralDifferences() throws {
        let model = try tinyModel()
        let shape = encoderShape(model, frames: 24)
        let values = seededTensor(shape, -0.5, 0.5, seed: 8)
        let lengths = [shape[1], shape[1] - 2, shape[1]]
        // The speller's output layer and the values: both sides of the teacher-forced pass.
        let small = model.namedParameters.filter { $0.0.hasPrefix("decoder.") && $0.1.count <= 64 }
        XCTAssertFalse(small.isEmpty)
        assertGradients([("values", values)] + small, eps: 1e-2, atol: 2e-3, rtol: 3e-2) {
            MinimumWERLoss.loss(model: model, values: values, lengths: lengths, lists: lists, utterances: 3)!.loss
        }
    }

    func testValueIsTheCenteredExpectedErrorsOverRenormalizedSequenceProbabilities() throws {
        let model = try tinyModel()
        let shape = encoderShape(model)
        let values = seededTensor(shape, -0.5, 0.5, seed: 9)
        let lengths = [shape[1], shape[1] - 3, shape[1]]
        let (loss, expected) = try XCTUnwrap(Tensor.withoutGrad {
            MinimumWERLoss.loss(model: model, values: values, lengths: lengths, lists: lists, utterances: 3)
        })
        // By hand: each hypothesis alone through the speller, log P = Σ log softmax at its tokens and eos.
        func logProb(_ utterance: Int, _ tokens: [Int]) -> Double {
            let one = values.indexSelect([utterance], axis: 0)
            let logits = Tensor.withoutGrad { model.decodeTeacherForced(values: one, lengths: [lengths[utterance]], inputs: [[Vocabulary.sos] + tokens]) }
            let v = logits.shape[2]
            var total = 0.0
            for (j, t) in (tokens + [Vocabulary.eos]).enumerated() {
                let row = (0..<v).map { Double(logits.data[j * v + $0]) }
                let m = row.max()!
                total += row[t] - (m + log(row.map { exp($0 - m) }.reduce(0, +)))
            }
            return total
        }
        var risk = 0.0, errors = 0.0
        for i in 0..<2 {
            let lp = lists[i].tokens.map { logProb(i, $0) }
            let m = lp.max()!
            let z = lp.map { exp($0 - m) }.reduce(0, +)
            let p = lp.map { exp($0 - m) / z }
            let w = lists[i].errors.map(Double.init)
            let mean = w.reduce(0, +) / Double(w.count)
            for k in p.indices {
                risk += p[k] * (w[k] - mean)
                errors += p[k] * w[k]
            }
        }
        XCTAssertEqual(Double(loss.item), risk / 3, accuracy: 1e-5)
        XCTAssertEqual(Double(expected), errors / 2, accuracy: 1e-5)
        // Only the list with equal errors: nothing to learn, no loss.
        XCTAssertNil(MinimumWERLoss.loss(model: model, values: values, lengths: lengths, lists: [lists[2]], utterances: 1))
    }

    /// With search scores (`attentionWeight`), P̂ is the softmax of the lists' scores, and the gradient is the
    /// attention weight times that of a loss whose list scores are w × the speller's log-probabilities + constants.
    func testSearchScoresSetTheListProbabilitiesAndScaleTheSpellersGradient() throws {
        let model = try tinyModel()
        let shape = encoderShape(model, frames: 24)
        let values = seededTensor(shape, -0.5, 0.5, seed: 10)
        let lengths = [shape[1], shape[1] - 2, shape[1]]
        var scored = lists
        scored[0].scores = [-3, -1.5, -4]
        scored[1].scores = [-2, -2.5]
        scored[2].scores = [-1, -1]
        let w: Float = 0.7
        let (loss, expected) = try XCTUnwrap(Tensor.withoutGrad {
            MinimumWERLoss.loss(model: model, values: values, lengths: lengths, lists: scored, utterances: 3, attentionWeight: w)
        })
        var risk = 0.0, errors = 0.0
        for i in 0..<2 {
            let z = scored[i].scores!.map { exp(Double($0)) }.reduce(0, +)
            let mean = scored[i].errors.reduce(0, +) / Float(scored[i].errors.count)
            for (s, e) in zip(scored[i].scores!, scored[i].errors) {
                risk += exp(Double(s)) / z * Double(e - mean)
                errors += exp(Double(s)) / z * Double(e)
            }
        }
        XCTAssertEqual(Double(loss.item), risk / 3, accuracy: 1e-5)
        XCTAssertEqual(Double(expected), errors / 2, accuracy: 1e-5)
        // The gradient: constants c = scores − w × log P at the unperturbed weights; perturbed, the lists' scores are
        // c + w × log P, the same value on the tape and through central differences.
        func speller(_ list: MinimumWERLoss.NBest, _ utterance: Int) -> [Float] {
            list.tokens.map { tokens in
                let logits = Tensor.withoutGrad {
                    model.decodeTeacherForced(values: values.indexSelect([utterance], axis: 0), lengths: [lengths[utterance]],
                                              inputs: [[Vocabulary.sos] + tokens]).logSoftmax()
                }
                let v = logits.shape[2]
                return (tokens + [Vocabulary.eos]).enumerated().reduce(Float(0)) { $0 + logits.data[$1.offset * v + $1.element] }
            }
        }
        let constants = (0..<3).map { i in zip(scored[i].scores!, speller(scored[i], i)).map { $0 - w * $1 } }
        let small = model.namedParameters.filter { $0.0.hasPrefix("decoder.") && $0.1.count <= 64 }
        assertGradients([("values", values)] + small, eps: 1e-2, atol: 2e-3, rtol: 3e-2) {
            var moved = scored
            for i in 0..<3 { moved[i].scores = zip(constants[i], speller(scored[i], i)).map { $0 + w * $1 } }
            return MinimumWERLoss.loss(model: model, values: values, lengths: lengths, lists: moved, utterances: 3, attentionWeight: w)!.loss
        }
    }

    func testNBestListsAreDistinctAndScoredAsEvalScoresThem() throws {
        let model = try tinyModel()
        let dir = TestPaths.tempDirectory("scribe-mwer-nbest")
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = try clipManifest(in: dir)
        let (data, _) = try Dataset.load(try Manifest.read(manifest).entries, config: model.config, manifestPath: manifest)
        let examples = Array(data.examples.prefix(3))
        let (x, lengths) = SpeechRecognizer.batch(examples.map(\.features))
        let (values, encLengths) = Tensor.withoutGrad { model.encode(x, lengths: lengths) }
        let references = ["yes", "no up", ""]
        let lists = MinimumWERLoss.nBest(model: model, values: values, lengths: encLengths, references: references, beam: 3)
        XCTAssertEqual(lists.count, 3)
        for (list, reference) in zip(lists, references) {
            XCTAssertGreaterThanOrEqual(list.tokens.count, 2)
            XCTAssertLessThanOrEqual(list.tokens.count, 3)
            XCTAssertEqual(Set(list.tokens).count, list.tokens.count, "hypotheses repeat: \(list.tokens)")
            for (tokens, errors) in zip(list.tokens, list.errors) {
                var score = ScoreAccumulator()
                let counted = score.add(id: "", reference: reference, hypothesis: model.vocabulary.decode(tokens)).words.errors
                XCTAssertEqual(errors, Float(counted))
            }
        }
        // A reference equal to the best hypothesis scores it 0.
        let best = model.vocabulary.decode(lists[0].tokens[0])
        let again = MinimumWERLoss.nBest(model: model, values: values.indexSelect([0], axis: 0), lengths: [encLengths[0]],
                                         references: [best], beam: 3)
        XCTAssertEqual(again[0].tokens, lists[0].tokens)
        XCTAssertEqual(again[0].errors[0], 0)
    }

    func testJointCTCListsAreTheTranscribeSearchsNBest() throws {
        let tiny = try tinyModel()
        var config = tiny.config
        config.ctcWeight = 0.5
        let model = SpeechRecognizer(config: config)
        let source = Dictionary(uniqueKeysWithValues: tiny.namedParameters)
        for (name, dst) in model.namedParameters { if let src = source[name] { dst.data = src.data } }
        XCTAssertNotNil(model.ctcHead)
        let dir = TestPaths.tempDirectory("scribe-mwer-ctc")
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = try clipManifest(in: dir)
        let (data, _) = try Dataset.load(try Manifest.read(manifest).entries, config: model.config, manifestPath: manifest)
        var options = BeamOptions(beam: 3)
        options.nBest = 3
        options.ctcWeight = 0.5
        options.lengthPenalty = 0.8
        var differs = false
        for example in data.examples {
            let (x, lengths) = SpeechRecognizer.batch([example.features])
            let (values, encLengths) = Tensor.withoutGrad { model.encode(x, lengths: lengths) }
            let joint = MinimumWERLoss.nBest(model: model, values: values, lengths: encLengths, references: [example.text], beam: 3,
                                             ctcWeight: 0.5, lengthPenalty: 0.8)[0]
            let transcribed = Transcriber(model: model, beam: options).transcribe(features: example.features, duration: 1)
            XCTAssertEqual(joint.tokens, transcribed.hypotheses.map(\.tokens), example.text)
            XCTAssertEqual(joint.scores, transcribed.hypotheses.map(\.logProb), example.text)
            let attention = MinimumWERLoss.nBest(model: model, values: values, lengths: encLengths, references: [example.text], beam: 3,
                                                 lengthPenalty: 0.8)[0]
            differs = differs || attention.tokens != joint.tokens
        }
        XCTAssertTrue(differs, "the CTC head never changed a list")
    }

    func testTheTermCanBeLeftOutOfStreamingBatches() throws {
        let dir = TestPaths.tempDirectory("scribe-mwer-streaming")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (base, model, data) = try clipRun(in: dir, steps: 1, beam: 3)
        var config = base
        var rng = RNG(seed: 1)
        for keep in [true, false] {
            config.mwer.streaming = keep
            let trainer = try Trainer(config: config, train: data, valid: nil, outDirectory: dir.appendingPathComponent("\(keep)").path)
            trainer.initialize(from: model)
            var batch = trainer.prepare(examples: data.examples, augment: false, rng: &rng)
            let offline = Tensor.withoutGrad { trainer.forward(batch, model: trainer.model, augment: true, rng: &rng, samplingProbability: 0) }
            batch.streaming = ChunkSpec(chunk: 4, lookahead: 2)
            let chunked = Tensor.withoutGrad { trainer.forward(batch, model: trainer.model, augment: true, rng: &rng, samplingProbability: 0) }
            XCTAssertNotNil(offline.mwerExpectedErrors, "streaming: \(keep)")
            XCTAssertEqual(chunked.mwerExpectedErrors != nil, keep, "streaming: \(keep)")
        }
    }

    func testShardsAddUpWithTheMinimumWERTerm() throws {
        let dir = TestPaths.tempDirectory("scribe-mwer-dp")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (config, model, data) = try clipRun(in: dir, steps: 1, beam: 3)
        let (_, scales) = try assertShardsAddUp(config: config, data: data, examples: data.examples, ranges: [0..<2, 2..<6], in: dir,
                                                training: true, weights: model)
        XCTAssertEqual(scales.map(\.mwer), [2.0 / 6, 4.0 / 6])
        // The term is in the loss: the same batch without it differs.
        let trainer = try Trainer(config: config, train: data, valid: nil, outDirectory: dir.appendingPathComponent("c").path)
        trainer.initialize(from: model)
        var off = config
        off.mwer.weight = 0
        let plain = try Trainer(config: off, train: data, valid: nil, outDirectory: dir.appendingPathComponent("d").path)
        for (dst, src) in zip(plain.model.parameters, trainer.model.parameters) { dst.data = src.data }
        var rng = RNG(seed: 1)
        let batch = trainer.prepare(examples: data.examples, augment: false, rng: &rng)
        let with = Tensor.withoutGrad { trainer.forward(batch, model: trainer.model, augment: true, rng: &rng, samplingProbability: 0) }
        let without = Tensor.withoutGrad { plain.forward(batch, model: plain.model, augment: true, rng: &rng, samplingProbability: 0) }
        XCTAssertNotNil(with.mwerExpectedErrors)
        XCTAssertNil(without.mwerExpectedErrors)
        XCTAssertEqual(with.ce.item, without.ce.item)
        XCTAssertNotEqual(with.total.item, without.total.item)
    }

    func testConfigKeysAreReadAndChecked() throws {
        let dir = TestPaths.tempDirectory("scribe-mwer-config")
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.json").path
        try #"{"seed": 1, "max_steps": 10, "mwer": {"weight": 0.5, "beam": 6}}"#.write(toFile: good, atomically: true, encoding: .utf8)
        let c = try TrainingConfig.load(good)
        XCTAssertEqual(c.mwer.weight, 0.5)
        XCTAssertEqual(c.mwer.beam, 6)
        XCTAssertEqual(c.mwer.ctcWeight, 0)
        XCTAssertEqual(c.mwer.lengthPenalty, 1)
        XCTAssertTrue(c.mwer.streaming)
        try #"{"seed": 1, "max_steps": 10, "model": {"ctc_weight": 0.3}, "mwer": {"weight": 1, "ctc_weight": 0.2, "length_penalty": 0.8, "streaming": false}}"#
            .write(toFile: good, atomically: true, encoding: .utf8)
        let d = try TrainingConfig.load(good)
        XCTAssertEqual([d.mwer.ctcWeight, d.mwer.lengthPenalty], [0.2, 0.8])
        XCTAssertFalse(d.mwer.streaming)
        XCTAssertFalse(d.mwer.searchScores)
        try #"{"seed": 1, "max_steps": 10, "model": {"ctc_weight": 0.3}, "mwer": {"weight": 1, "ctc_weight": 0.2, "search_scores": true}}"#
            .write(toFile: good, atomically: true, encoding: .utf8)
        XCTAssertTrue(try TrainingConfig.load(good).mwer.searchScores)
        for body in [#"{"weight": 1, "beam": 1}"#, #"{"weight": -1}"#, #"{"weight": 1, "nbest": 4}"#,
                     #"{"weight": 1, "ctc_weight": 1.5}"#, #"{"weight": 1, "length_penalty": -1}"#,
                     #"{"weight": 1, "ctc_weight": 0.3}"#] {
            let bad = dir.appendingPathComponent("bad.json").path
            try #"{"seed": 1, "max_steps": 10, "mwer": \#(body)}"#.write(toFile: bad, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try TrainingConfig.load(bad), body) { XCTAssertTrue("\($0)".contains("mwer"), "\($0)") }
        }
    }

    func testARunLogsTheExpectedErrors() throws {
        let dir = TestPaths.tempDirectory("scribe-mwer-run")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (config, model, data) = try clipRun(in: dir, steps: 2, beam: 2)
        let out = dir.appendingPathComponent("run").path
        let trainer = try Trainer(config: config, train: data, valid: nil, outDirectory: out)
        trainer.initialize(from: model)
        let log = try TrainingLog(path: dir.appendingPathComponent("log.jsonl").path)
        try trainer.run(log: log)
        let entries = try TrainingLog.read(dir.appendingPathComponent("log.jsonl").path).filter { $0.kind == "train" }
        let first = try XCTUnwrap(entries.first)
        let e = try XCTUnwrap(first.mwerExpectedErrors)
        XCTAssertTrue(e.isFinite && e >= 0, "\(e)")
    }
}
