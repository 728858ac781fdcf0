// Data-parallel training (`"parallel": "batch"`): the shards' weighted gradients add up to the whole batch's, and a
// data-parallel run is deterministic and resumes bit-identically.
import Foundation
import Model
import Tensor
import TestSupport
@testable import Training
import XCTest

/// Every parameter of `a` and `b` (one architecture) has a gradient, the same to 1e-4 of its largest element.
func assertSameGradients(_ a: SpeechRecognizer, _ b: SpeechRecognizer, file: StaticString = #filePath, line: UInt = #line) throws {
    for ((name, x), (_, y)) in zip(a.namedParameters, b.namedParameters) {
        let gx = try XCTUnwrap(x.grad, name, file: file, line: line), gy = try XCTUnwrap(y.grad, name, file: file, line: line)
        let scale = max(gx.map(abs).max() ?? 0, 1e-6)
        let worst = zip(gx, gy).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(worst / scale, 1e-4, "\(name): gradients differ by \(worst) (largest \(scale))", file: file, line: line)
    }
}

/// The batch `examples`, computed whole on one thread and as the weighted shards `ranges` on two (no augmentation; the
/// guided-attention weight and speaker λ given; with `training`, the forward pass's training-only terms, minimum-WER
/// training among them), has the same loss and the same gradients. Returns the two-thread trainer (its replicas) and
/// the shards' scales. The weights are `weights`' when given, else a fresh model's. Trainers write under `dir`.
@discardableResult
func assertShardsAddUp(config: TrainingConfig, data: Dataset, examples: [Example], ranges: [Range<Int>], in dir: URL,
                       guidedWeight: Float = 0, speakerLambda: Float? = nil, training: Bool = false,
                       weights: SpeechRecognizer? = nil,
                       file: StaticString = #filePath, line: UInt = #line) throws -> (Trainer, [Trainer.LossScale]) {
    let serial = try Trainer(config: config, train: data, valid: nil, outDirectory: dir.appendingPathComponent("a").path)
    if let weights { serial.initialize(from: weights) }
    var rng = RNG(seed: 5)
    let batch = serial.prepare(examples: examples, augment: false, rng: &rng)
    let whole = serial.forward(batch, model: serial.model, augment: training, rng: &rng, samplingProbability: 0,
                               guidedWeight: guidedWeight, speakerLambda: speakerLambda).total
    whole.backward()

    var parallelConfig = config
    parallelConfig.threads = 2
    parallelConfig.parallel = .batch
    let trainer = try Trainer(config: parallelConfig, train: data, valid: nil, outDirectory: dir.appendingPathComponent("b").path)
    defer { Threading.configure(threads: 1) }
    for (dst, src) in zip(trainer.model.parameters, serial.model.parameters) { dst.data = src.data }
    let replicas = try XCTUnwrap(trainer.dataParallel, file: file, line: line)
    var rng2 = RNG(seed: 5)
    let prepared = trainer.prepare(examples: examples, augment: false, rng: &rng2)
    let shards = ranges.map { prepared.shard($0) }
    let scales = Trainer.shardScales(shards, of: prepared, speakerFrames: speakerLambda == nil ? nil : trainer.speakerFrames)
    let totals = replicas.step(shards: shards.count) { k, m in
        var local = RNG(seed: 1)
        return trainer.forward(shards[k], model: m, augment: training, rng: &local, samplingProbability: 0, guidedWeight: guidedWeight,
                               speakerLambda: speakerLambda, scale: scales[k]).total
    }
    XCTAssertEqual(totals.reduce(0) { $0 + $1.item }, whole.item, accuracy: 1e-5 * max(1, abs(whole.item)), file: file, line: line)
    try assertSameGradients(serial.model, trainer.model, file: file, line: line)
    return (trainer, scales)
}

final class DataParallelTests: XCTestCase {
    func testSplitCoversTheBatchInNearlyEqualParts() {
        XCTAssertEqual(DataParallel.split(7, parts: 2), [0..<4, 4..<7])
        XCTAssertEqual(DataParallel.split(6, parts: 3), [0..<2, 2..<4, 4..<6])
        XCTAssertEqual(DataParallel.split(1, parts: 2), [0..<1])
        XCTAssertEqual(DataParallel.split(5, parts: 1), [0..<5])
    }

    /// The gradient of one batch, computed whole on one thread and as two weighted shards on two, agrees; so does
    /// the loss. Cross-entropy and CTC take their means over different things (targets, utterances) and guided
    /// attention over output steps: clips of different lengths check that each is weighted by the right count.
    func testShardGradientsAddUpToTheBatchGradient() throws {
        let dir = TestPaths.tempDirectory("scribe-dp")
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = try clipManifest(in: dir)
        var config = tinyTrainingConfig(steps: 1)
        config.model.ctcWeight = 0.4
        config.guidedAttention.weight = 0.5
        config.guidedAttention.untilStep = 10
        config.labelSmoothing = 0.1
        let (data, _) = try Dataset.load(try Manifest.read(manifest).entries, config: config.model, manifestPath: manifest)
        let examples = data.examples.enumerated().map { i, e -> Example in
            var e = e
            e.tokens = Array(e.tokens.prefix(1 + i))      // 1…6 targets: unequal shards of targets
            return e
        }
        // Ranges of 3 and 18 targets: far from an even split.
        let (trainer, _) = try assertShardsAddUp(config: config, data: data, examples: examples, ranges: [0..<2, 2..<6], in: dir,
                                                 guidedWeight: 0.5)
        let replicas = try XCTUnwrap(trainer.dataParallel)
        // The replica's gradients were moved into the master's.
        XCTAssertTrue(replicas.models[1].parameters.allSatisfy { $0.grad == nil })
    }

    /// Two data-parallel runs give the same weights, and one stopped and resumed gives them too.
    func testDataParallelRunIsDeterministicAndResumesBitIdentically() throws {
        let dir = TestPaths.tempDirectory("scribe-dp-resume")
        defer { try? FileManager.default.removeItem(at: dir) }
        defer { Threading.configure(threads: 1) }
        let manifest = try clipManifest(in: dir)
        var config = tinyTrainingConfig(steps: 6)
        config.threads = 2
        config.parallel = .batch
        config.maxBatchSize = 3
        config.specAugment.enabled = true
        config.scheduledSampling.maxProbability = 0.5
        config.scheduledSampling.rampSteps = 2
        config.scheduledSampling.sample = true
        config.checkpointEvery = 3
        config.validEvery = 100
        let (data, _) = try Dataset.load(try Manifest.read(manifest).entries, config: config.model, manifestPath: manifest)

        let first = try Trainer(config: config, train: data, valid: nil, outDirectory: dir.appendingPathComponent("a").path)
        try first.run(log: nil)
        let second = try Trainer(config: config, train: data, valid: nil, outDirectory: dir.appendingPathComponent("b").path)
        try second.run(log: nil)
        var half = config
        half.maxSteps = 3
        let outC = dir.appendingPathComponent("c").path
        try Trainer(config: half, train: data, valid: nil, outDirectory: outC).run(log: nil)
        let resumed = try Trainer(config: config, train: data, valid: nil, outDirectory: outC, resumeFrom: try XCTUnwrap(Checkpoint.latest(outC)))
        try resumed.run(log: nil)
        XCTAssertEqual(resumed.state.step, 6)
        for (((name, a), (_, b)), (_, c)) in zip(zip(first.model.namedParameters, second.model.namedParameters), resumed.model.namedParameters) {
            XCTAssertEqual(a.data, b.data, "\(name) differs between two data-parallel runs")
            XCTAssertEqual(a.data, c.data, "\(name) differs after resume")
        }
        // It trained: the weights moved from their initialization.
        let fresh = SpeechRecognizer(config: first.model.config)
        XCTAssertNotEqual(fresh.parameters[0].data, first.model.parameters[0].data)
    }

    func testConfigAcceptsParallelAndRejectsUnknownModes() throws {
        let dir = TestPaths.tempDirectory("scribe-dp-config")
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.json").path
        try #"{"seed": 1, "max_steps": 10, "threads": 2, "parallel": "batch"}"#.write(toFile: good, atomically: true, encoding: .utf8)
        XCTAssertEqual(try TrainingConfig.load(good).parallel, .batch)
        let bad = dir.appendingPathComponent("bad.json").path
        try #"{"seed": 1, "max_steps": 10, "parallel": "gpu"}"#.write(toFile: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TrainingConfig.load(bad)) { error in
            XCTAssertTrue("\(error)".contains("parallel"), "\(error)")
        }
    }
}
