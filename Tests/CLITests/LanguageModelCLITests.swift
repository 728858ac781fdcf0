// `scribe lm` and the --lm / --lm-weight / --oov-penalty flags with the tiny test model: a language model (characters
// or words) trained on the clips' words keeps them right; a model directory's lm.arpa is used unless --lm none;
// missing, damaged or mismatched language models are one-line errors with exit 1.
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
        let t = try CommandRunner.scribe(["lm", "--unit", "char", "--manifest", manifest, "--text", text, "--valid", manifest, "--order", "4", "--out", lm])
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
        let blank = dir.appendingPathComponent("blank.txt").path
        try "\n  \n!?\n".write(toFile: blank, atomically: true, encoding: .utf8)
        for unit in ["char", "word"] {
            let empty = try CommandRunner.scribe(["lm", "--unit", unit, "--text", blank, "--out", lm])
            XCTAssertNotEqual(empty.status, 0)
            XCTAssertTrue(empty.stderr.contains("no training sentences") && empty.stderr.contains("blank.txt"), empty.stderr)
        }
    }

    func testWordLanguageModelTrainUseDefaultAndRefuse() throws {
        let dir = TestPaths.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = dir.appendingPathComponent("m.jsonl").path
        try Fixtures.writeClipManifest(words, to: manifest)
        let text = dir.appendingPathComponent("t.txt").path
        try "Turn left, then right!\ngo up or down\nyes or no\n".write(toFile: text, atomically: true, encoding: .utf8)
        let lm = dir.appendingPathComponent("lm.arpa").path
        let t = try CommandRunner.scribe(["lm", "--manifest", manifest, "--text", text, "--valid", manifest, "--out", lm])
        XCTAssertEqual(t.status, 0, t.stderr)
        XCTAssertTrue(t.stdout.contains("word 3-gram") && t.stdout.contains("9 sentences"), t.stdout)
        XCTAssertTrue(t.stdout.contains("perplexity per word") && t.stdout.contains("0.00% of the words out of vocabulary"), t.stdout)
        XCTAssertTrue(try String(contentsOfFile: lm, encoding: .utf8).hasPrefix("\\data\\\nngram 1="), "ARPA text")

        let r = try CommandRunner.scribe(["--model", model, "--beam", "4", "--lm", lm, "--lm-weight", "0.5", "--oov-penalty", "-2"] + words.map(clip))
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, words.joined(separator: "\n") + "\n")

        // A model directory's lm.arpa is the default: a damaged one fails the run (named), --lm none skips it.
        let copy = dir.appendingPathComponent("model").path
        try FileManager.default.copyItem(atPath: model, toPath: copy)
        try "\\data\\\nngram 1=2\n\n\\1-grams:\n-1.0\tyes\n".write(toFile: copy + "/lm.arpa", atomically: true, encoding: .utf8)
        let damaged = try CommandRunner.scribe(["--model", copy, "--beam", "4", clip("yes")])
        XCTAssertEqual(damaged.status, 1)
        XCTAssertTrue(damaged.stderr.contains("lm.arpa") && damaged.stderr.contains("missing \\end\\"), damaged.stderr)
        let off = try CommandRunner.scribe(["--model", copy, "--beam", "4", "--lm", "none", clip("yes")])
        XCTAssertEqual(off.status, 0, off.stderr)
        XCTAssertEqual(off.stdout, "yes\n")
        try FileManager.default.removeItem(atPath: copy + "/lm.arpa")
        try FileManager.default.copyItem(atPath: lm, toPath: copy + "/lm.arpa")
        let picked = try CommandRunner.scribe(["--model", copy, "--beam", "4"] + words.map(clip))
        XCTAssertEqual(picked.status, 0, picked.stderr)
        XCTAssertEqual(picked.stdout, words.joined(separator: "\n") + "\n")
        let info = try CommandRunner.scribe(["info", "--model", copy])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.stdout.contains("language model: \(copy)/lm.arpa: word 3-gram, 10 words"), info.stdout)

        let order = try CommandRunner.scribe(["lm", "--text", text, "--order", "9", "--out", lm])
        XCTAssertNotEqual(order.status, 0)
        XCTAssertTrue(order.stderr.contains("--order must be in 1...6 for --unit word"), order.stderr)
        let penalty = try CommandRunner.scribe(["--model", model, "--lm", lm, "--oov-penalty", "99", clip("yes")])
        XCTAssertNotEqual(penalty.status, 0)
        XCTAssertTrue(penalty.stderr.contains("--oov-penalty"), penalty.stderr)
        // Internal LM subtraction: out of range is an error; in range it decodes (the tiny model has an LSTM speller).
        let ilmBad = try CommandRunner.scribe(["--model", model, "--ilm-weight", "9", clip("yes")])
        XCTAssertNotEqual(ilmBad.status, 0)
        XCTAssertTrue(ilmBad.stderr.contains("--ilm-weight must be in 0...5"), ilmBad.stderr)
        let ilm = try CommandRunner.scribe(["--model", model, "--beam", "4", "--lm", lm, "--ilm-weight", "0.2", clip("yes")])
        XCTAssertEqual(ilm.status, 0, ilm.stderr)
        XCTAssertFalse(ilm.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }
}
