// `scribe lm` and the --lm / --lm-weight flags with the tiny test model: a language model trained on the clips'
// words keeps them right; missing, damaged or mismatched language models are one-line errors with exit 1.
import Foundation
import TestSupport
import XCTest

final class LanguageModelCLITests: XCTestCase {
    let model = TestPaths.repo("Tests/Fixtures/tiny-model")
    let words = ["yes", "no", "up", "down", "left", "right"]
    func clip(_ w: String) -> String { TestPaths.repo("audio/\(w).wav") }

    func testTrainUseAndRefuse() throws {
        let dir = TestPaths.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = dir.appendingPathComponent("m.jsonl").path
        try Fixtures.writeClipManifest(words, to: manifest)
        let text = dir.appendingPathComponent("t.txt").path
        try "Yes, left!\nno\n\nright up down\n".write(toFile: text, atomically: true, encoding: .utf8)
        let lm = dir.appendingPathComponent("lm.bin").path
        let t = try CommandRunner.scribe(["lm", "--manifest", manifest, "--text", text, "--valid", manifest, "--order", "4", "--out", lm])
        XCTAssertEqual(t.status, 0, t.stderr)
        XCTAssertTrue(t.stdout.contains("9 sentences"), t.stdout)
        XCTAssertTrue(t.stdout.contains("perplexity per character"), t.stdout)

        let r = try CommandRunner.scribe(["--model", model, "--beam", "4", "--lm", lm, "--lm-weight", "0.5"] + words.map(clip))
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, words.joined(separator: "\n") + "\n")
        let s = try CommandRunner.scribe(["stream", "--model", model, "--lm", lm, "--text"], stdin: try Data(contentsOf: URL(fileURLWithPath: clip("left"))))
        XCTAssertEqual(s.status, 0, s.stderr)
        XCTAssertEqual(s.stdout, "left\n")

        let missing = try CommandRunner.scribe(["--model", model, "--beam", "4", "--lm", dir.appendingPathComponent("none.bin").path, clip("yes")])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("none.bin"), missing.stderr)
        let bad = dir.appendingPathComponent("bad.bin").path
        try Data("SCRBCLM1 and then garbage".utf8).write(to: URL(fileURLWithPath: bad))
        let damaged = try CommandRunner.scribe(["--model", model, "--beam", "4", "--lm", bad, clip("yes")])
        XCTAssertEqual(damaged.status, 1)
        XCTAssertTrue(damaged.stderr.contains("language model"), damaged.stderr)
        let weight = try CommandRunner.scribe(["--model", model, "--lm-weight", "-1", clip("yes")])
        XCTAssertNotEqual(weight.status, 0)
        XCTAssertTrue(weight.stderr.contains("--lm-weight"), weight.stderr)
        let noText = try CommandRunner.scribe(["lm", "--out", lm])
        XCTAssertNotEqual(noText.status, 0)
        XCTAssertTrue(noText.stderr.contains("--manifest"), noText.stderr)
    }
}
