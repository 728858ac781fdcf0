// Speaker-adversarial training: the classifier's numerical gradients; the reversal reaching the encoder only (λ = 0
// leaves the encoder's gradient as without the adversary, +λ and −λ are symmetric about it); the shards of a
// data-parallel step adding up with the speaker term; its config and manifest errors; and model directories with and
// without the classifier (`--init` from a model without one, shipping weights that carry one).
import Foundation
import Model
import NN
import Tensor
import TestSupport
@testable import Training
import XCTest

final class SpeakerAdversaryTests: XCTestCase {
    private func assertClose(_ a: [Float], _ b: [Float], tol: Float, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        let scale = max(b.map(abs).max() ?? 0, 1e-6)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst / scale, tol, "differ by \(worst) (largest \(scale))", file: file, line: line)
    }

    /// The six clips with a voice each: three speakers, two clips each.
    private func voicedManifest(in dir: URL, voices: [String] = ["a", "b", "c", "a", "b", "c"]) throws -> String {
        let words = ["yes", "no", "up", "down", "left", "right"]
        let path = dir.appendingPathComponent("voiced.jsonl").path
        try zip(words, voices).map { w, v in
            "{\"audio_filepath\": \"\(TestPaths.repo("audio/\(w).wav"))\", \"duration\": 1.0, \"text\": \"\(w)\", \"voice\": \"\(v)\"}"
        }.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func adversarialConfig(steps: Int = 1) -> TrainingConfig {
        var c = tinyTrainingConfig(steps: steps)
        c.model.speakerClasses = 4
        c.model.ctcWeight = 0.3
        c.speakerAdversary.weight = 0.5
        c.speakerAdversary.reversal = 1
        c.speakerAdversary.rampSteps = 0
        return c
    }

    func testSpeakerClassifierGradients() {
        var rng = RNG(seed: 21)
        let classifier = SpeakerClassifier(input: 5, hidden: 6, classes: 3, rng: &rng)
        classifier.hidden.bias!.data = [1, -1, 1.5, -1.5, 2, 0.8]     // away from the ReLU kink
        let x = seededTensor([2, 4, 5], -0.3, 0.3, seed: 22)
        assertGradients([("x", x)] + classifier.namedParameters) { classifier(x) }
        XCTAssertEqual(classifier(x).shape, [2, 4, 3])
    }

    /// The gradient of one batch's loss for λ in {−1, 0, 1}: the classifier's is the same for all three (it always
    /// learns to name the voice); the encoder's at λ = 0 is the one without the adversary, and the reversal is linear
    /// and signed: g(1) + g(−1) = 2·g(0), with g(1) ≠ g(0).
    func testReversalReachesOnlyTheEncoderAndIsLinearInLambda() throws {
        let dir = TestPaths.tempDirectory("scribe-adversary-grad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = try voicedManifest(in: dir)
        let config = adversarialConfig()
        let (data, _) = try Dataset.load(try Manifest.read(manifest).entries, config: config.model, manifestPath: manifest)
        XCTAssertEqual(data.examples.map(\.voice), ["a", "b", "c", "a", "b", "c"])
        let trainer = try Trainer(config: config, train: data, valid: nil, outDirectory: dir.appendingPathComponent("run").path)
        XCTAssertEqual(trainer.speakerClasses, ["a": 0, "b": 1, "c": 2])
        var unfolded = config
        unfolded.speakerAdversary.foldVariants = false
        var variants = data
        variants.examples[3].voice = "a+m3"
        XCTAssertEqual(try Trainer.speakerClasses(of: variants, config: config), ["a": 0, "b": 1, "c": 2], "variants fold into their voice")
        XCTAssertEqual(try Trainer.speakerClasses(of: variants, config: unfolded), ["a": 0, "a+m3": 1, "b": 2, "c": 3])
        func gradients(_ lambda: Float?) -> [String: [Float]] {
            for p in trainer.model.parameters { p.zeroGrad() }
            var rng = RNG(seed: 4)
            let (total, _, _) = trainer.loss(examples: data.examples, augment: false, rng: &rng, samplingProbability: 0,
                                             speakerLambda: lambda)
            total.backward()
            return Dictionary(uniqueKeysWithValues: trainer.model.namedParameters.map { ($0.0, $0.1.grad ?? []) })
        }
        let none = gradients(nil), zero = gradients(0), plus = gradients(1), minus = gradients(-1)
        XCTAssertNotNil(trainer.lastSpeaker)
        let encoder = none.keys.filter { $0.hasPrefix("encoder.") }.sorted()
        let classifier = none.keys.filter { $0.hasPrefix("speaker.") }.sorted()
        XCTAssertFalse(encoder.isEmpty)
        XCTAssertEqual(classifier.count, 4)
        for name in classifier {
            XCTAssertTrue(none[name]!.isEmpty || none[name]!.allSatisfy { $0 == 0 }, "\(name) learns only with the adversary on")
            XCTAssertFalse(plus[name]!.allSatisfy { $0 == 0 }, name)
            assertClose(plus[name]!, zero[name]!, tol: 1e-5)
            assertClose(minus[name]!, zero[name]!, tol: 1e-5)
        }
        var moved = false
        for name in encoder {
            assertClose(zero[name]!, none[name]!, tol: 1e-5)
            let sum = zip(plus[name]!, minus[name]!).map { $0 + $1 }
            let scale = max(zero[name]!.map(abs).max() ?? 0, 1e-6)
            let worst = zip(sum, zero[name]!).map { abs($0 - 2 * $1) }.max() ?? 0
            XCTAssertLessThan(worst / scale, 1e-3, "\(name): g(1) + g(−1) is off 2·g(0) by \(worst)")
            moved = moved || zip(plus[name]!, zero[name]!).contains { abs($0 - $1) > 1e-4 * scale }
        }
        XCTAssertTrue(moved, "the reversed speaker gradient changed no encoder gradient")
    }

    /// Two weighted shards on two threads give the batch's loss and gradients with the speaker term on, clips
    /// of unequal lengths and one clip without a voice (its frames carry no speaker target).
    func testShardsAddUpWithTheSpeakerTerm() throws {
        let dir = TestPaths.tempDirectory("scribe-adversary-dp")
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = try voicedManifest(in: dir)
        let config = adversarialConfig()
        var (data, _) = try Dataset.load(try Manifest.read(manifest).entries, config: config.model, manifestPath: manifest)
        data.examples[1].voice = nil
        let (_, scales) = try assertShardsAddUp(config: config, data: data, examples: data.examples, ranges: [0..<2, 2..<6], in: dir,
                                                speakerLambda: 0.7)
        XCTAssertEqual(scales.map(\.speaker).reduce(0, +), 1, accuracy: 1e-6)
    }

    /// A short run logs the speaker loss, accuracy and λ, moves the classifier, and resumes exactly.
    func testRunLogsTheAdversary() throws {
        let dir = TestPaths.tempDirectory("scribe-adversary-run")
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = try voicedManifest(in: dir)
        var config = adversarialConfig(steps: 3)
        config.speakerAdversary.rampSteps = 2
        let (data, _) = try Dataset.load(try Manifest.read(manifest).entries, config: config.model, manifestPath: manifest)
        let out = dir.appendingPathComponent("run").path
        let trainer = try Trainer(config: config, train: data, valid: nil, outDirectory: out)
        let before = trainer.model.speakerHead!.output.weight.data
        let logPath = dir.appendingPathComponent("log.jsonl").path
        try trainer.run(log: try TrainingLog(path: logPath))
        XCTAssertNotEqual(trainer.model.speakerHead!.output.weight.data, before)
        let lines = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["kind"] as? String == "train" }
        XCTAssertFalse(lines.isEmpty)
        let first = try XCTUnwrap(lines.first)
        XCTAssertNotNil(first["speaker"] as? Double)
        XCTAssertNotNil(first["speaker_accuracy"] as? Double)
        XCTAssertEqual(first["speaker_lambda"] as? Double, 0, "λ ramps from 0 at step 0")

        // Stopped after 2 steps and resumed, the run ends bit-identical, classifier included (single thread).
        var half = config
        half.maxSteps = 2
        half.checkpointEvery = 2
        let outB = dir.appendingPathComponent("resumed").path
        try Trainer(config: half, train: data, valid: nil, outDirectory: outB).run(log: nil)
        let resumed = try Trainer(config: config, train: data, valid: nil, outDirectory: outB, resumeFrom: try XCTUnwrap(Checkpoint.latest(outB)))
        try resumed.run(log: nil)
        XCTAssertEqual(resumed.state.step, 3)
        for ((name, a), (_, b)) in zip(trainer.model.namedParameters, resumed.model.namedParameters) {
            XCTAssertEqual(a.data, b.data, "\(name) differs after resume")
        }
    }

    func testConfigAndManifestErrors() throws {
        let dir = TestPaths.tempDirectory("scribe-adversary-errors")
        defer { try? FileManager.default.removeItem(at: dir) }
        var noHead = adversarialConfig()
        noHead.model.speakerClasses = 0
        XCTAssertThrowsError(try noHead.validate(path: "c.json")) { e in
            XCTAssertTrue("\(e)".contains("speaker_classes"), "\(e)")
        }
        var negative = adversarialConfig()
        negative.speakerAdversary.reversal = -1
        XCTAssertThrowsError(try negative.validate(path: "c.json"))
        let config = adversarialConfig()
        for (voices, needle) in [(["a", "b", "c", "d", "e", "a"], "at least that"), (["a", "a+1", "a+2", "a", "a", "a"], "at least 2 voices")] {
            let manifest = try voicedManifest(in: dir, voices: voices)
            let (data, _) = try Dataset.load(try Manifest.read(manifest).entries, config: config.model, manifestPath: manifest)
            XCTAssertThrowsError(try Trainer(config: config, train: data, valid: nil, outDirectory: dir.appendingPathComponent("x").path)) { e in
                XCTAssertTrue("\(e)".contains(needle), "\(e)")
            }
        }
    }

    /// A model saved with a classifier loads under a config without one (the shipped config: its weights are
    /// training-only and ignored) and its other weights are the same; a foreign tensor is still refused. A run with
    /// a classifier initialized from a model without one copies every other weight by name.
    func testModelDirectoriesWithAndWithoutTheClassifier() throws {
        let dir = TestPaths.tempDirectory("scribe-adversary-dirs")
        defer { try? FileManager.default.removeItem(at: dir) }
        var withHead = adversarialConfig().model
        withHead.normalization.kind = .none
        let trained = SpeechRecognizer(config: withHead)
        let saved = dir.appendingPathComponent("with").path
        try ModelDirectory.save(trained, to: saved)
        var plain = withHead
        plain.speakerClasses = 0
        let configData = try JSONConfig.encoder().encode(plain)
        try configData.write(to: URL(fileURLWithPath: "\(saved)/config.json"))
        let loaded = try ModelDirectory.load(saved)
        XCTAssertNil(loaded.speakerHead)
        XCTAssertEqual(loaded.namedParameters.map(\.0), trained.namedParameters.map(\.0).filter { !$0.hasPrefix("speaker.") })
        for ((_, a), (_, b)) in zip(loaded.namedParameters, trained.namedParameters) { XCTAssertEqual(a.data, b.data) }

        var tensors = [String: Tensor]()
        for (name, t) in loaded.namedParameters { tensors[name] = t }
        tensors["decoder.extra"] = Tensor.zeros([2])
        try Safetensors.write(tensors, to: "\(saved)/model.safetensors")
        XCTAssertThrowsError(try ModelDirectory.load(saved)) { e in XCTAssertTrue("\(e)".contains("decoder.extra"), "\(e)") }

        let manifest = try voicedManifest(in: dir)
        let (data, _) = try Dataset.load(try Manifest.read(manifest).entries, config: adversarialConfig().model, manifestPath: manifest)
        var config = adversarialConfig()
        config.model.normalization.kind = .none
        let trainer = try Trainer(config: config, train: data, valid: nil, outDirectory: dir.appendingPathComponent("run").path)
        let fresh = trainer.model.speakerHead!.namedParameters.map { $0.1.data }
        trainer.initialize(from: loaded)
        for ((name, a), (_, b)) in zip(trainer.model.namedParameters, loaded.namedParameters) {
            XCTAssertEqual(a.data, b.data, name)
        }
        XCTAssertEqual(trainer.model.speakerHead!.namedParameters.map { $0.1.data }, fresh)
    }
}
