// End to end: train a tiny model on clips from audio/ until it overfits them (greedy CER 0), save it, and have
// the real `scribe` binary transcribe them exactly from the saved model directory. Also: a run stopped and
// resumed from its checkpoint ends bit-identical to an uninterrupted one (single thread).
import Decoding
import Evaluation
import Foundation
import Model
import Tensor
import TestSupport
import Training
import XCTest

/// A manifest of the six 1-second command words in audio/ (real speakers, 16 kHz).
func clipManifest(in dir: URL) throws -> String {
    let path = dir.appendingPathComponent("clips.jsonl").path
    try Fixtures.writeClipManifest(["yes", "no", "up", "down", "left", "right"], to: path)
    return path
}

func tinyTrainingConfig(steps: Int) -> TrainingConfig {
    var c = TrainingConfig()
    c.seed = 3
    c.model.encoder.layers = 1
    c.model.encoder.hidden = 32
    c.model.decoder.hidden = 64
    c.model.decoder.embedding = 16
    c.model.attention.dim = 32
    c.model.subsampling.channels = 4
    c.maxBatchSize = 6
    c.maxBatchFrames = 100_000
    c.epochs = 0
    c.maxSteps = steps
    c.learningRate = 0.003
    c.schedule = .constant
    c.labelSmoothing = 0
    c.specAugment.enabled = false
    c.validEvery = steps
    c.checkpointEvery = steps
    c.threads = 1
    return c
}

final class OverfitTests: XCTestCase {
    func testOverfitsClipsAndTheCLITranscribesThem() throws {
        try overfit(tinyTrainingConfig(steps: 120))
    }

    func testTransformerEncoderOverfitsClipsToo() throws {
        var config = tinyTrainingConfig(steps: 150)
        config.model.encoder.kind = .transformer
        config.model.encoder.layers = 2
        config.model.encoder.dModel = 32
        config.model.encoder.heads = 2
        config.model.encoder.feedForward = 64
        config.learningRate = 0.002
        try overfit(config)
    }

    func testTransformerDecoderOverfitsClips() throws {
        var config = tinyTrainingConfig(steps: 150)
        config.model.decoder.kind = .transformer
        config.model.decoder.hidden = 32
        config.model.decoder.heads = 2
        config.model.decoder.layers = 1
        config.model.decoder.feedForward = 64
        config.learningRate = 0.002
        try overfit(config)
    }

    func overfit(_ config: TrainingConfig) throws {
        let dir = TestPaths.tempDirectory("scribe-overfit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = try clipManifest(in: dir)
        let entries = try Manifest.read(manifest).entries
        let (data, skipped) = try Dataset.load(entries, config: config.model, manifestPath: manifest)
        XCTAssertTrue(skipped.isEmpty)
        let out = dir.appendingPathComponent("model").path
        let trainer = try Trainer(config: config, train: data, valid: data, outDirectory: out)
        try trainer.run(log: nil)
        let result = try XCTUnwrap(trainer.validate())
        XCTAssertEqual(result.cer, 0, "greedy CER after \(config.maxSteps) steps")
        // The saved model directory, through the real binary.
        let files = ["yes", "no", "up", "down", "left", "right"].map { TestPaths.repo("audio/\($0).wav") }
        let r = try CommandRunner.scribe(["transcribe", "--model", out, "--beam", "1"] + files, timeout: 300)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "yes\nno\nup\ndown\nleft\nright\n")
        let beam = try CommandRunner.scribe(["--model", out, "--beam", "4"] + files, timeout: 300)
        XCTAssertEqual(beam.stdout, "yes\nno\nup\ndown\nleft\nright\n", beam.stderr)
    }

    func testResumeIsBitIdentical() throws {
        let dir = TestPaths.tempDirectory("scribe-resume")
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = try clipManifest(in: dir)
        var config = tinyTrainingConfig(steps: 8)
        config.maxBatchSize = 2                 // several batches per epoch, so the data position matters
        config.specAugment.enabled = true       // the RNG state matters
        config.scheduledSampling.maxProbability = 0.5
        config.scheduledSampling.rampSteps = 4
        config.scheduledSampling.sample = true
        config.checkpointEvery = 4
        config.validEvery = 100
        let (data, _) = try Dataset.load(try Manifest.read(manifest).entries, config: config.model, manifestPath: manifest)

        let straight = try Trainer(config: config, train: data, valid: nil, outDirectory: dir.appendingPathComponent("a").path)
        try straight.run(log: nil)

        var half = config
        half.maxSteps = 4
        let outB = dir.appendingPathComponent("b").path
        try Trainer(config: half, train: data, valid: nil, outDirectory: outB).run(log: nil)
        let checkpoint = try XCTUnwrap(Checkpoint.latest(outB))
        XCTAssertTrue(checkpoint.hasSuffix("step-00000004"))
        let resumed = try Trainer(config: config, train: data, valid: nil, outDirectory: outB, resumeFrom: checkpoint)
        XCTAssertEqual(resumed.state.step, 4)
        try resumed.run(log: nil)
        XCTAssertEqual(resumed.state.step, 8)
        for ((name, a), (_, b)) in zip(straight.model.namedParameters, resumed.model.namedParameters) {
            XCTAssertEqual(a.data, b.data, "\(name) differs after resume")
        }
        // Averaging the two checkpoints (steps 4 and 8) gives their element-wise mean.
        let paths = Checkpoint.list(outB)
        XCTAssertEqual(paths.count, 2)
        let avg = try Checkpoint.average(paths)
        let a = try ModelDirectory.load(paths[0]), b = try ModelDirectory.load(paths[1])
        let (_, first) = avg.namedParameters[0]
        for i in 0..<min(5, first.count) {
            XCTAssertEqual(first.data[i], (a.namedParameters[0].1.data[i] + b.namedParameters[0].1.data[i]) / 2, accuracy: 1e-6)
        }
    }
}
