// `scribe score` and `scribe average` through the real binary: ids paired and the unpaired listed, the summary line,
// and clear errors (a missing file, a malformed manifest line naming its line; checkpoints of different
// architectures, a directory that is not a model) with nothing written.
import Foundation
import TestSupport
import XCTest

final class ScoreAverageCLITests: XCTestCase {
    func testScorePairsByIdAndRefusesBadFiles() throws {
        let dir = TestPaths.tempDirectory("scribe-score-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        func file(_ name: String, _ text: String) throws -> String {
            let p = dir.appendingPathComponent(name).path
            try text.write(toFile: p, atomically: true, encoding: .utf8)
            return p
        }
        let ref = try file("ref.txt", "u1 the cat sat\nu2 on the mat\nu3 hello\n")
        let hyp = try file("hyp.txt", "u1 the cat sad\nu2 on mat\nu4 extra\n")
        let r = try CommandRunner.scribe(["score", "--ref", ref, "--hyp", hyp, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try XCTUnwrap(r.stdout.split(separator: "\n").last).utf8)) as? [String: Any])
        XCTAssertEqual(summary["utterances"] as? Int, 2)
        XCTAssertEqual(summary["ref_words"] as? Int, 6)
        XCTAssertEqual(summary["substitutions"] as? Int, 1)
        XCTAssertEqual(summary["deletions"] as? Int, 1)
        XCTAssertEqual(summary["missing_in_hyp"] as? Int, 1)
        XCTAssertEqual(summary["missing_in_ref"] as? Int, 1)
        XCTAssertTrue(r.stderr.contains("u3") && r.stderr.contains("u4"), r.stderr)

        let missing = try CommandRunner.scribe(["score", "--ref", dir.appendingPathComponent("nope.txt").path, "--hyp", hyp])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("nope.txt"), missing.stderr)
        let bad = try file("bad.jsonl", "{\"id\": \"a\", \"text\": \"x\"}\n{oops\n")
        let malformed = try CommandRunner.scribe(["score", "--ref", bad, "--hyp", bad])
        XCTAssertNotEqual(malformed.status, 0)
        XCTAssertTrue(malformed.stderr.contains("bad.jsonl:2"), malformed.stderr)
    }

    func testAverageWritesTheMeanAndRefusesMismatches() throws {
        let dir = TestPaths.tempDirectory("scribe-average-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tiny = TestPaths.repo("Tests/Fixtures/tiny-model")
        let out = dir.appendingPathComponent("avg").path
        // The average of a model with itself is the model.
        let same = try CommandRunner.scribe(["average", "--out", out, tiny, tiny])
        XCTAssertEqual(same.status, 0, same.stderr)
        // Same tensor bytes (the JSON headers differ: the average records what it averaged).
        func tensorBytes(_ path: String) throws -> Data {
            let d = try Data(contentsOf: URL(fileURLWithPath: path))
            let n = d.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            return d.dropFirst(8 + n)
        }
        let averaged = try tensorBytes("\(out)/model.safetensors")
        XCTAssertFalse(averaged.isEmpty)
        XCTAssertEqual(averaged, try tensorBytes("\(tiny)/model.safetensors"))
        let check = try CommandRunner.scribe(["--model", out, TestPaths.repo("audio/yes.wav")])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertEqual(check.stdout, "yes\n")

        // Another architecture: refused, nothing written.
        let other = dir.appendingPathComponent("other").path
        try FileManager.default.copyItem(atPath: tiny, toPath: other)
        let configPath = "\(other)/config.json"
        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configPath))) as? [String: Any])
        var decoder = try XCTUnwrap(config["decoder"] as? [String: Any])
        decoder["hidden"] = (decoder["hidden"] as? Int ?? 8) + 8
        config["decoder"] = decoder
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        let out2 = dir.appendingPathComponent("avg2").path
        let mismatch = try CommandRunner.scribe(["average", "--out", out2, tiny, other])
        XCTAssertNotEqual(mismatch.status, 0)
        XCTAssertFalse(mismatch.stderr.isEmpty)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out2))
        let notModel = try CommandRunner.scribe(["average", "--out", out2, tiny, dir.path])
        XCTAssertNotEqual(notModel.status, 0)
        XCTAssertTrue(notModel.stderr.contains(dir.lastPathComponent), notModel.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out2))
    }
}
