// `scribe train --print-config`: every key a training config can set, as JSON that `--config` reads back unchanged;
// a config's own values with the defaults filled in; a misspelled key named, with the command that lists the keys;
// and --train/--out required only to train.
import Foundation
import TestSupport
import XCTest

final class TrainPrintConfigCLITests: XCTestCase {
    func testPrintsEveryKeyAndReadsBack() throws {
        let dir = TestPaths.tempDirectory("scribe-print-config")
        defer { try? FileManager.default.removeItem(at: dir) }
        let defaults = try CommandRunner.scribe(["train", "--print-config"])
        XCTAssertEqual(defaults.status, 0, defaults.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(defaults.stdout.utf8)) as? [String: Any])
        for key in ["seed", "learning_rate", "scheduled_sampling", "spec_augment", "speaker_adversary", "model"] {
            XCTAssertNotNil(object[key], key)
        }
        XCTAssertEqual((object["model"] as? [String: Any])?["speaker_classes"] as? Int, 0)
        let path = dir.appendingPathComponent("defaults.json").path
        try defaults.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        let again = try CommandRunner.scribe(["train", "--print-config", "--config", path])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(again.stdout, defaults.stdout, "the printed config reads back unchanged")

        let mine = dir.appendingPathComponent("mine.json").path
        try #"{"seed": 7, "model": {"speaker_classes": 8}, "speaker_adversary": {"weight": 0.5}}"#.write(toFile: mine, atomically: true, encoding: .utf8)
        let filled = try CommandRunner.scribe(["train", "--print-config", "--config", mine])
        XCTAssertEqual(filled.status, 0, filled.stderr)
        let f = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(filled.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(f["seed"] as? Int, 7)
        let adversary = try XCTUnwrap(f["speaker_adversary"] as? [String: Any])
        XCTAssertEqual(adversary["weight"] as? Double, 0.5)
        XCTAssertEqual(adversary["reversal"] as? Double, 1, "a key left out takes its default")
    }

    func testErrors() throws {
        let dir = TestPaths.tempDirectory("scribe-print-config-errors")
        defer { try? FileManager.default.removeItem(at: dir) }
        let typo = dir.appendingPathComponent("typo.json").path
        try #"{"seed": 1, "speaker_adversery": {"weight": 1}}"#.write(toFile: typo, atomically: true, encoding: .utf8)
        let bad = try CommandRunner.scribe(["train", "--print-config", "--config", typo])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("speaker_adversery") && bad.stderr.contains("--print-config"), bad.stderr)
        let noTrain = try CommandRunner.scribe(["train", "--config", typo, "--out", dir.appendingPathComponent("o").path])
        XCTAssertEqual(noTrain.status, 64)
        XCTAssertTrue(noTrain.stderr.contains("--train is required"), noTrain.stderr)
        let noOut = try CommandRunner.scribe(["train", "--config", typo, "--train", typo])
        XCTAssertEqual(noOut.status, 64)
        XCTAssertTrue(noOut.stderr.contains("--out is required"), noOut.stderr)
        let mixed = try CommandRunner.scribe(["train", "--print-config", "--out", dir.appendingPathComponent("o").path])
        XCTAssertEqual(mixed.status, 64)
        XCTAssertTrue(mixed.stderr.contains("--print-config"), mixed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("o").path))
        let override = try CommandRunner.scribe(["train", "--print-config", "--max-steps", "5"])
        XCTAssertEqual(override.status, 64, "an override it would not apply is refused, not ignored")
        XCTAssertTrue(override.stderr.contains("--print-config"), override.stderr)
    }
}
