// `scribe train --init`: a new run starts from a model directory's weights when the architecture matches, and
// refuses (exit 64, a message naming --init) when it does not or when combined with --resume.
import Foundation
import TestSupport
import XCTest

final class TrainInitCLITests: XCTestCase {
    let tiny = TestPaths.repo("Tests/Fixtures/tiny-model")

    func testInitFromAMatchingModelAndRefusalsOtherwise() throws {
        let dir = TestPaths.tempDirectory("scribe-train-init")
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ name: String, _ object: Any) throws -> String {
            let p = dir.appendingPathComponent(name).path
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: p))
            return p
        }
        let model = try Fixtures.tinyModelConfig()
        let same = try write("same.json", ["seed": 1, "model": model, "max_steps": 1, "epochs": 0, "threads": 1,
                                           "valid_every": 1, "checkpoint_every": 1, "spec_augment": ["enabled": false]])
        let manifest = dir.appendingPathComponent("m.jsonl").path
        try Fixtures.writeClipManifest(["yes", "no"], to: manifest)
        let out = dir.appendingPathComponent("run").path
        let ok = try CommandRunner.scribe(["train", "--config", same, "--train", manifest, "--out", out, "--init", tiny, "--quiet"], timeout: 300)
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stderr.contains("weights initialized from"), ok.stderr)
        // The run kept the tiny model's normalization statistics rather than computing new ones.
        let saved = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/config.json"))) as? [String: Any])
        XCTAssertEqual((saved["normalization"] as? [String: Any])?["mean"] as? [Double], (model["normalization"] as? [String: Any])?["mean"] as? [Double])

        var other = model
        other["decoder"] = ["kind": "lstm", "hidden": 48, "embedding": 16]
        let different = try write("different.json", ["seed": 1, "model": other, "max_steps": 1, "epochs": 0])
        let bad = try CommandRunner.scribe(["train", "--config", different, "--train", manifest, "--out", out + "2", "--init", tiny])
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("--init") && bad.stderr.contains("architecture"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "2/checkpoints"))
        let both = try CommandRunner.scribe(["train", "--resume", "--train", manifest, "--out", out, "--init", tiny])
        XCTAssertEqual(both.status, 64)
        XCTAssertTrue(both.stderr.contains("--init"), both.stderr)

        // Decoding defaults hold no weights: a model that ships a tuned CTC weight still initializes a config that
        // has none, and the new run keeps the config's (the default 0.3).
        let tuned = dir.appendingPathComponent("tuned").path
        try FileManager.default.copyItem(atPath: out, toPath: tuned)
        var tunedConfig = saved
        tunedConfig["decoding"] = ["ctc_weight": 0.15]
        try JSONSerialization.data(withJSONObject: tunedConfig).write(to: URL(fileURLWithPath: "\(tuned)/config.json"))
        let fromTuned = try CommandRunner.scribe(["train", "--config", same, "--train", manifest, "--out", out + "3", "--init", tuned, "--quiet"], timeout: 300)
        XCTAssertEqual(fromTuned.status, 0, fromTuned.stderr)
        let run3 = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)3/config.json"))) as? [String: Any])
        XCTAssertEqual((run3["decoding"] as? [String: Any])?["ctc_weight"] as? Double, 0.3)

        // Neither does the conv front end's time reduction: a 25 frames/s model initializes a 50 frames/s run, which
        // keeps its own rate.
        var faster = model
        var sub = (model["subsampling"] as? [String: Any]) ?? [:]
        sub["time_reduction"] = 2
        faster["subsampling"] = sub
        let fast = try write("fast.json", ["seed": 1, "model": faster, "max_steps": 1, "epochs": 0, "threads": 1,
                                           "valid_every": 1, "checkpoint_every": 1, "spec_augment": ["enabled": false]])
        let fromSlow = try CommandRunner.scribe(["train", "--config", fast, "--train", manifest, "--out", out + "4", "--init", tiny, "--quiet"], timeout: 300)
        XCTAssertEqual(fromSlow.status, 0, fromSlow.stderr)
        let run4 = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)4/config.json"))) as? [String: Any])
        XCTAssertEqual((run4["subsampling"] as? [String: Any])?["time_reduction"] as? Int, 2)
    }

    /// A speaker-adversarial run starts from a model without a speaker classifier (the classifier starts fresh), says
    /// how many voices it found and how many utterances have none, and its model directory loads for transcription.
    func testInitASpeakerAdversarialRunFromAModelWithoutAClassifier() throws {
        let dir = TestPaths.tempDirectory("scribe-train-init-adversary")
        defer { try? FileManager.default.removeItem(at: dir) }
        var model = try Fixtures.tinyModelConfig()
        model["speaker_classes"] = 4
        let config = dir.appendingPathComponent("adversary.json").path
        try JSONSerialization.data(withJSONObject: ["seed": 1, "model": model, "max_steps": 2, "epochs": 0, "threads": 1,
                                                    "valid_every": 2, "checkpoint_every": 2, "spec_augment": ["enabled": false],
                                                    "speaker_adversary": ["weight": 1, "reversal": 0.5, "ramp_steps": 0]])
            .write(to: URL(fileURLWithPath: config))
        let manifest = dir.appendingPathComponent("m.jsonl").path
        try ["{\"audio_filepath\": \"\(TestPaths.repo("audio/yes.wav"))\", \"duration\": 1.0, \"text\": \"yes\", \"voice\": \"a+m1\"}",
             "{\"audio_filepath\": \"\(TestPaths.repo("audio/no.wav"))\", \"duration\": 1.0, \"text\": \"no\", \"speaker\": \"b\"}",
             "{\"audio_filepath\": \"\(TestPaths.repo("audio/up.wav"))\", \"duration\": 1.0, \"text\": \"up\"}"]
            .joined(separator: "\n").write(toFile: manifest, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("run").path
        let r = try CommandRunner.scribe(["train", "--config", config, "--train", manifest, "--out", out, "--init", tiny, "--quiet"], timeout: 300)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("speaker adversary: 2 voices"), r.stderr)
        XCTAssertTrue(r.stderr.contains("1 training utterances have no"), r.stderr)
        XCTAssertTrue(r.stderr.contains("weights initialized from"), r.stderr)
        let t = try CommandRunner.scribe(["--model", out, TestPaths.repo("audio/yes.wav")], timeout: 120)
        XCTAssertEqual(t.status, 0, t.stderr)
    }
}
