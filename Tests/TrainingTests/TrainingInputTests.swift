// Bad training input gives clear errors: manifests (by line), configs (unknown keys, impossible values),
// corrupt checkpoints; scheduled-sampling schedules ramp as documented.
import Features
import Foundation
import Model
import TestSupport
import Training
import XCTest

final class TrainingInputTests: XCTestCase {
    var dir: URL!
    override func setUp() { dir = TestPaths.tempDirectory("scribe-train-input") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func write(_ name: String, _ text: String) throws -> String {
        let p = dir.appendingPathComponent(name).path
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    func testManifestErrorsNameTheLine() throws {
        let good = "{\"audio_filepath\": \"\(TestPaths.repo("audio/yes.wav"))\", \"duration\": 1.0, \"text\": \"yes\"}"
        let cases: [(String, String)] = [
            ("not json", "not a JSON object"), ("{\"duration\": 1, \"text\": \"a\"}", "audio_filepath"),
            ("{\"audio_filepath\": \"nope.wav\", \"duration\": 1, \"text\": \"a\"}", "not found"),
            ("{\"audio_filepath\": \"\(TestPaths.repo("audio/yes.wav"))\", \"duration\": -1, \"text\": \"a\"}", "duration"),
        ]
        for (bad, mention) in cases {
            let p = try write("m.jsonl", good + "\n" + bad + "\n")
            XCTAssertThrowsError(try Manifest.read(p)) { e in
                XCTAssertTrue("\(e)".contains(":2:"), "\(e)")
                XCTAssertTrue("\(e)".contains(mention), "\(e)")
            }
            let (entries, problems) = try Manifest.read(p, skipBad: true)
            XCTAssertEqual(entries.count, 1)
            XCTAssertEqual(problems.count, 1)
        }
        XCTAssertThrowsError(try Manifest.read(try write("empty.jsonl", "\n"))) { XCTAssertTrue("\($0)".contains("no usable")) }
        // Every line bad, even when skipping: the error says why, with the first bad line's number and reason.
        let allBad = try write("bad.jsonl", "not json\n{\"audio_filepath\": \"nope.wav\", \"duration\": 1, \"text\": \"a\"}\n")
        XCTAssertThrowsError(try Manifest.read(allBad, skipBad: true)) { e in
            XCTAssertTrue("\(e)".contains("all 2 lines are bad"), "\(e)")
            XCTAssertTrue("\(e)".contains(":1: not a JSON object"), "\(e)")
        }
    }

    /// "duration" may be left out where the reader allows it (scribe eval); a bad one is still refused.
    func testOptionalDuration() throws {
        let audio = TestPaths.repo("audio/yes.wav")
        let p = try write("nodur.jsonl", "{\"audio_filepath\": \"\(audio)\", \"text\": \"yes\"}\n")
        XCTAssertThrowsError(try Manifest.read(p)) { XCTAssertTrue("\($0)".contains("duration"), "\($0)") }
        let entries = try Manifest.read(p, requireDuration: false).entries
        XCTAssertEqual(entries.map(\.duration), [0])
        let negative = try write("negdur.jsonl", "{\"audio_filepath\": \"\(audio)\", \"duration\": -2, \"text\": \"yes\"}\n")
        XCTAssertThrowsError(try Manifest.read(negative, requireDuration: false)) { XCTAssertTrue("\($0)".contains(":1:"), "\($0)") }
    }

    func testConfigErrors() throws {
        XCTAssertThrowsError(try TrainingConfig.load(try write("a.json", "{\"learning_rat\": 0.1}"))) {
            XCTAssertTrue("\($0)".contains("learning_rat"), "\($0)")
        }
        XCTAssertThrowsError(try TrainingConfig.load(try write("b.json", "{\"learning_rate\": -1}"))) {
            XCTAssertTrue("\($0)".contains("learning_rate"), "\($0)")
        }
        XCTAssertThrowsError(try TrainingConfig.load(try write("c.json", "{\"model\": {\"decoder\": {\"hidden\": \"big\"}}}"))) {
            XCTAssertTrue("\($0)".contains("decoder.hidden"), "\($0)")
        }
        XCTAssertThrowsError(try TrainingConfig.load(try write("d.json", "{\"streaming_fraction\": 0.5}"))) {
            XCTAssertTrue("\($0)".contains("streaming"), "\($0)")
        }
        XCTAssertThrowsError(try TrainingConfig.load(try write("f.json", "{\"vtlp\": {\"max_warp\": 0.7}}"))) {
            XCTAssertTrue("\($0)".contains("vtlp.max_warp"), "\($0)")
        }
        XCTAssertThrowsError(try TrainingConfig.load(try write("g.json", "{\"model\": {\"subsampling\": {\"time_reduction\": 3}}}"))) {
            XCTAssertTrue("\($0)".contains("subsampling.time_reduction"), "\($0)")
        }
        let ok = try TrainingConfig.load(try write("e.json", "{\"seed\": 7, \"model\": {\"encoder\": {\"streaming\": {\"chunk\": 8, \"lookahead\": 2}}}}"))
        XCTAssertEqual(ok.seed, 7)
        XCTAssertEqual(ok.model.encoder.streaming?.chunk, 8)
        XCTAssertEqual(ok.learningRate, TrainingConfig().learningRate)
    }

    func testCorruptCheckpointIsReportedAndNothingOverwritten() throws {
        let manifest = try clipManifest(in: dir)
        var config = tinyTrainingConfig(steps: 2)
        config.checkpointEvery = 2
        let (data, _) = try Dataset.load(try Manifest.read(manifest).entries, config: config.model, manifestPath: manifest)
        let out = dir.appendingPathComponent("run").path
        try Trainer(config: config, train: data, valid: nil, outDirectory: out).run(log: nil)
        let ck = try XCTUnwrap(Checkpoint.latest(out))
        let weights = "\(ck)/model.safetensors"
        let original = try Data(contentsOf: URL(fileURLWithPath: weights))
        try original.prefix(100).write(to: URL(fileURLWithPath: weights))
        XCTAssertThrowsError(try Trainer(config: config, train: data, valid: nil, outDirectory: out, resumeFrom: ck)) {
            XCTAssertTrue("\($0)".contains("checkpoint"), "\($0)")
        }
        try FileManager.default.removeItem(atPath: "\(ck)/trainer.json")
        XCTAssertThrowsError(try Checkpoint.config(ck)) { XCTAssertTrue("\($0)".contains("trainer.json"), "\($0)") }
        // The final model directory was not touched by the failed resume.
        XCTAssertNoThrow(try ModelDirectory.load(out))
    }

    func testBatchesAreBucketedAndCurriculumGoesShortestFirst() {
        let lengths = [50, 10, 30, 20, 40, 10, 60, 25, 35, 15]
        let data = Dataset(examples: lengths.enumerated().map { i, n in
            Example(id: "\(i)", features: FeatureMatrix(frames: n, dim: 1, data: [Float](repeating: 0, count: n)), tokens: [4], text: "a", seconds: 1)
        })
        let shuffled = data.batches(maxFrames: 90, maxBatch: 3, seed: 1, epoch: 0)
        XCTAssertEqual(shuffled.flatMap { $0 }.sorted(), Array(0..<10), "every example once")
        for b in shuffled { XCTAssertLessThanOrEqual(b.map { lengths[$0] }.max()! * b.count, 90) }
        XCTAssertEqual(shuffled, data.batches(maxFrames: 90, maxBatch: 3, seed: 1, epoch: 0), "deterministic")
        let curriculum = data.batches(maxFrames: 90, maxBatch: 3, seed: 1, epoch: 0, shortestFirst: true)
        let longest = curriculum.map { $0.map { lengths[$0] }.max()! }
        XCTAssertEqual(longest, longest.sorted())
        XCTAssertEqual(Set(curriculum.map { $0.sorted() }), Set(shuffled.map { $0.sorted() }), "same batches, other order")
    }

    func testScheduledSamplingRamps() {
        var s = ScheduledSamplingConfig()
        s.maxProbability = 0.4
        s.rampSteps = 100
        s.startStep = 10
        for kind in [ScheduledSamplingConfig.Schedule.linear, .exponential, .inverseSigmoid] {
            s.schedule = kind
            XCTAssertEqual(s.probability(step: 0), 0)
            XCTAssertEqual(s.probability(step: 10), kind == .inverseSigmoid ? s.probability(step: 10) : 0, accuracy: 1e-6)
            XCTAssertLessThan(s.probability(step: 30), s.probability(step: 80), "\(kind)")
            XCTAssertEqual(s.probability(step: 1000), 0.4, accuracy: 0.01, "\(kind)")
        }
    }

    /// Averaging ignores decoding defaults (a shipped model with a tuned "decoding" averages with its checkpoints)
    /// and refuses two architectures with a message that names both models.
    func testAveragingNeedsOneArchitectureButNotOneDecodingDefault() throws {
        var config = ModelConfig()
        (config.encoder.layers, config.encoder.hidden, config.subsampling.channels) = (1, 4, 2)
        (config.attention.dim, config.decoder.hidden, config.decoder.embedding) = (4, 6, 3)
        let a = dir.appendingPathComponent("a").path, b = dir.appendingPathComponent("b").path
        try ModelDirectory.save(SpeechRecognizer(config: config), to: a)
        var tuned = config
        tuned.decoding.ctcWeight = 0.15
        try ModelDirectory.save(SpeechRecognizer(config: tuned), to: b)
        XCTAssertEqual(try Checkpoint.average([b, a]).config.decoding.ctcWeight, 0.15)
        var other = config
        other.decoder.hidden = 8
        let c = dir.appendingPathComponent("c").path
        try ModelDirectory.save(SpeechRecognizer(config: other), to: c)
        XCTAssertThrowsError(try Checkpoint.average([a, c])) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(c) && message.contains(a) && message.contains("architecture"), message)
            XCTAssertFalse(message.contains("unusable"), message)
        }
    }
}
