// `scribe train --resume` with overrides of how it runs and validates (--parallel, --valid-beam, --valid-ctc-weight):
// the resumed run saves them in its next checkpoint, forgets a best WER measured by another search, and rejects
// impossible values with a message naming the field, before anything is written. The log keeps each step once, also when --out holds a stopped run's log.
import Foundation
import TestSupport
import XCTest

final class TrainResumeOverridesCLITests: XCTestCase {
    func testResumeWithAnotherValidationSearch() throws {
        let dir = TestPaths.tempDirectory("scribe-train-overrides")
        defer { try? FileManager.default.removeItem(at: dir) }
        var model = try Fixtures.tinyModelConfig()
        model["decoding"] = nil
        let config = dir.appendingPathComponent("c.json").path
        try JSONSerialization.data(withJSONObject: ["seed": 1, "model": model, "max_steps": 1, "epochs": 0, "threads": 1,
                                                    "valid_every": 1, "checkpoint_every": 1, "spec_augment": ["enabled": false]])
            .write(to: URL(fileURLWithPath: config))
        let manifest = dir.appendingPathComponent("m.jsonl").path
        try Fixtures.writeClipManifest(["yes", "no"], to: manifest)
        let out = dir.appendingPathComponent("run").path
        // The log of a run stopped before its first checkpoint is not this run's.
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Data("{\"elapsed\":1,\"epoch\":0,\"kind\":\"train\",\"step\":3}\n".utf8).write(to: URL(fileURLWithPath: "\(out)/train.log.jsonl"))
        let first = try CommandRunner.scribe(["train", "--config", config, "--train", manifest, "--valid", manifest, "--out", out, "--quiet"], timeout: 300)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertFalse(try String(contentsOfFile: "\(out)/train.log.jsonl", encoding: .utf8).contains("\"step\":3"))

        let bad = try CommandRunner.scribe(["train", "--resume", "--max-steps", "2", "--train", manifest, "--valid", manifest, "--out", out,
                                            "--valid-beam", "0", "--quiet"], timeout: 300)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("valid_search"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(out)/checkpoints/step-00000002"))

        // What a run stopped after its last checkpoint (step 1) had logged is dropped on resume, and logged again.
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: "\(out)/train.log.jsonl"))
        handle.seekToEndOfFile()
        handle.write(Data("{\"elapsed\":1,\"epoch\":0,\"kind\":\"train\",\"step\":7}\n".utf8))
        handle.closeFile()
        let resumed = try CommandRunner.scribe(["train", "--resume", "--max-steps", "2", "--train", manifest, "--valid", manifest, "--out", out,
                                                "--valid-beam", "2", "--valid-ctc-weight", "0.2", "--parallel", "batch", "--quiet"], timeout: 300)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("validation search changed (beam 1 → 2"), resumed.stderr)
        let saved = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/checkpoints/step-00000002/trainer.json"))) as? [String: Any])
        let savedConfig = try XCTUnwrap(saved["config"] as? [String: Any])
        let search = try XCTUnwrap(savedConfig["valid_search"] as? [String: Any])
        XCTAssertEqual(search["beam"] as? Int, 2)
        XCTAssertEqual(try XCTUnwrap(search["ctc_weight"] as? Double), 0.2, accuracy: 1e-6)
        XCTAssertEqual(savedConfig["parallel"] as? String, "batch")
        // The best WER is the one measured with the new search, at step 2.
        let state = try XCTUnwrap(saved["state"] as? [String: Any])
        XCTAssertEqual(state["best_step"] as? Int, 2)
        // The log says which search each validation used.
        let searches = try String(contentsOfFile: "\(out)/train.log.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["kind"] as? String == "valid" }.map { $0["search"] as? String ?? "none" }
        XCTAssertEqual(searches.count, 2)
        XCTAssertEqual(searches.first, "greedy")
        XCTAssertTrue(searches.last?.hasPrefix("beam 2") ?? false, "\(searches)")
        XCTAssertFalse(try String(contentsOfFile: "\(out)/train.log.jsonl", encoding: .utf8).contains("\"step\":7"))
    }
}
