// The real binary with the tiny test model (Tests/Fixtures/tiny-model, made by scripts/make-test-model):
// transcribe in every format, stream from stdin, eval, align, info, and the bad inputs of each.
import Foundation
import TestSupport
import XCTest

final class TranscribeCLITests: XCTestCase {
    let model = TestPaths.repo("Tests/Fixtures/tiny-model")
    let words = ["yes", "no", "up", "down", "left", "right"]
    func clip(_ w: String) -> String { TestPaths.repo("audio/\(w).wav") }

    /// Raw s16le samples of a WAV file written by scribe's tests (44-byte header).
    func pcm(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)).dropFirst(44) }

    func testTranscribesTheClips() throws {
        let r = try CommandRunner.scribe(["--model", model] + words.map(clip))
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, words.joined(separator: "\n") + "\n")
        XCTAssertFalse(r.stderr.contains("no speech detected"), r.stderr)
    }

    /// A negative value after --eos-threshold (its help's example is -1.5) is the value, not an unknown flag.
    /// Without --model: $SCRIBE_MODEL, else models/default in the working directory, else next to the executable;
    /// when none has a model, the error names the places it looked.
    func testDefaultModelIsFoundOrTheErrorSaysWhere() throws {
        let dir = TestPaths.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        let bin = dir.appendingPathComponent("kit/bin"), work = dir.appendingPathComponent("work")
        try fm.createDirectory(at: bin, withIntermediateDirectories: true)
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        let exe = bin.appendingPathComponent("scribe").path
        try fm.copyItem(atPath: CommandRunner.scribePath, toPath: exe)
        let unset = ["SCRIBE_MODEL": ""]
        let none = try CommandRunner.run(exe, [clip("yes")], environment: unset, directory: work)
        XCTAssertNotEqual(none.status, 0)
        XCTAssertTrue(none.stderr.contains("no default model found"), none.stderr)
        XCTAssertTrue(none.stderr.contains(bin.appendingPathComponent("models/default").path), none.stderr)
        XCTAssertTrue(none.stderr.contains("SCRIBE_MODEL"), none.stderr)
        let byEnv = try CommandRunner.run(exe, [clip("yes")], environment: ["SCRIBE_MODEL": model], directory: work)
        XCTAssertEqual(byEnv.stdout, "yes\n", byEnv.stderr)
        // models/default beside the executable's folder (an unpacked release: kit/bin/scribe, kit/models/default).
        try fm.createDirectory(at: dir.appendingPathComponent("kit/models"), withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("kit/models/default").path, withDestinationPath: model)
        let beside = try CommandRunner.run(exe, [clip("yes")], environment: unset, directory: work)
        XCTAssertEqual(beside.stdout, "yes\n", beside.stderr)
    }

    func testNegativeEOSThresholdIsAValue() throws {
        let r = try CommandRunner.scribe(["--model", model, "--beam", "4", "--eos-threshold", "-1.5", clip("yes")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "yes\n")
    }

    func testFormatsAndOutputDir() throws {
        let json = try CommandRunner.scribe(["transcribe", "--model", model, "--format", "json", "--n-best", "2", "--beam", "4", clip("left")])
        XCTAssertEqual(json.status, 0, json.stderr)
        let doc = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(doc["text"] as? String, "left")
        let seg = (doc["segments"] as! [[String: Any]])[0]
        let w = (seg["words"] as! [[String: Any]])[0]
        XCTAssertEqual(w["word"] as? String, "left")
        XCTAssertLessThanOrEqual(w["start"] as! Double, w["end"] as! Double)
        XCTAssertEqual((seg["nbest"] as! [Any]).count, 2)
        let srt = try CommandRunner.scribe(["--model", model, "--format", "srt", clip("up")])
        XCTAssertEqual(srt.stdout, "1\n00:00:00,000 --> 00:00:01,000\nup\n")
        let vtt = try CommandRunner.scribe(["--model", model, "--format", "vtt", clip("up")])
        XCTAssertTrue(vtt.stdout.hasPrefix("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nup\n"), vtt.stdout)
        let dir = TestPaths.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CommandRunner.scribe(["--model", model, "--output-dir", dir.path, "--format", "vtt", clip("yes"), clip("no")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("yes.vtt").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("no.vtt").path))
    }

    func testSilenceNoiseAndTinyClips() throws {
        var silence = Data(count: 32_000 * 2)   // 2 s of zeros
        let s = try CommandRunner.scribe(["--model", model, "-", "--encoding", "s16le"], stdin: silence)
        XCTAssertEqual(s.status, 0, s.stderr)
        XCTAssertEqual(s.stdout, "\n", "silence must give an empty transcript")
        XCTAssertTrue(s.stderr.contains("-: no speech detected"), "an empty transcript is announced on stderr: \(s.stderr)")
        var rng = SystemRandomNumberGenerator()
        silence = Data((0..<64_000).flatMap { _ -> [UInt8] in
            let v = Int16.random(in: -9000...9000, using: &rng); return [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8)]
        })
        let n = try CommandRunner.scribe(["--model", model, "-"], stdin: silence)
        XCTAssertEqual(n.status, 0, n.stderr)
        XCTAssertEqual(n.stdout, "\n", "white noise must give an empty transcript")
        XCTAssertTrue(n.stderr.contains("no speech detected"), n.stderr)
        let short = try pcm(clip("yes")).dropFirst(12_800).prefix(6_400)   // 0.2 s
        let t = try CommandRunner.scribe(["--model", model, "-"], stdin: Data(short))
        XCTAssertEqual(t.status, 0, t.stderr)
        XCTAssertFalse(t.timedOut)
    }

    /// An hour of quiet audio with one word at the end: no crash, no hang, the word at its true time.
    func testHourLongInput() throws {
        var audio = Data(count: 3600 * 16_000 * 2)
        audio += try pcm(clip("right"))
        let r = try CommandRunner.scribe(["--model", model, "-", "--format", "json"], stdin: audio, timeout: 600)
        XCTAssertFalse(r.timedOut)
        XCTAssertEqual(r.status, 0, r.stderr)
        let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(doc["text"] as? String, "right")
        let seg = (doc["segments"] as! [[String: Any]]).first { ($0["text"] as? String) == "right" }!
        XCTAssertEqual(seg["start"] as! Double, 3600, accuracy: 1.0)
    }

    func testStreamFromStdin() throws {
        var audio = try pcm(clip("yes"))
        audio += Data(count: 16_000 * 2)                       // 1 s pause: an endpoint
        audio += try pcm(clip("left"))
        let r = try CommandRunner.scribe(["stream", "--model", model], stdin: audio)
        XCTAssertEqual(r.status, 0, r.stderr)
        let events = r.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let finals = events.filter { $0["type"] as? String == "final" }
        XCTAssertEqual(finals.count, 2, r.stdout)
        XCTAssertEqual(finals.first?["text"] as? String, "yes")
        XCTAssertEqual(finals.first?["start"] as? Double, 0)
        let text = try CommandRunner.scribe(["stream", "--model", model, "--text"], stdin: try pcm(clip("right")))
        XCTAssertEqual(text.stdout, "right\n")
    }

    func testStreamLatencyOptionsAreChecked() throws {
        // The tiny model has no streaming chunk spec (it re-encodes the open segment): --chunk cannot apply.
        let chunk = try CommandRunner.scribe(["stream", "--model", model, "--chunk", "4"], stdin: try pcm(clip("yes")), timeout: 30)
        XCTAssertNotEqual(chunk.status, 0)
        XCTAssertTrue(chunk.stderr.contains("no streaming chunk spec"), chunk.stderr)
        let margin = try CommandRunner.scribe(["eval", "--model", model, "--manifest", "/dev/null", "--stream", "--margin", "-1"], timeout: 30)
        XCTAssertNotEqual(margin.status, 0)
        XCTAssertTrue(margin.stderr.contains("--margin"), margin.stderr)
        let zero = try CommandRunner.scribe(["stream", "--model", model, "--chunk", "0"], stdin: Data(), timeout: 30)
        XCTAssertNotEqual(zero.status, 0)
        XCTAssertTrue(zero.stderr.contains("--chunk"), zero.stderr)
        let mode = try CommandRunner.scribe(["stream", "--model", model, "--lookahead-mode", "sideways"], stdin: Data(), timeout: 30)
        XCTAssertNotEqual(mode.status, 0)
        XCTAssertTrue(mode.stderr.contains("layered") && mode.stderr.contains("shared"), mode.stderr)
        let noSpec = try CommandRunner.scribe(["stream", "--model", model, "--lookahead-mode", "shared"], stdin: try pcm(clip("yes")), timeout: 30)
        XCTAssertNotEqual(noSpec.status, 0)
        XCTAssertTrue(noSpec.stderr.contains("--lookahead-mode"), noSpec.stderr)
    }

    func testStreamBadInput() throws {
        let closed = try CommandRunner.scribe(["stream", "--model", model], stdin: Data(), timeout: 30)
        XCTAssertEqual(closed.status, 0)
        XCTAssertEqual(closed.stdout, "")
        let silence = try CommandRunner.scribe(["stream", "--model", model], stdin: Data(count: 48_000 * 2), timeout: 30)
        XCTAssertEqual(silence.status, 0)
        XCTAssertEqual(silence.stdout, "", "silence gives no events")
        var cut = try pcm(clip("no"))
        cut.append(7)                                          // a stream cut mid-sample
        let r = try CommandRunner.scribe(["stream", "--model", model, "--text"], stdin: cut, timeout: 30)
        XCTAssertFalse(r.timedOut)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("mid-sample"), r.stderr)
        XCTAssertEqual(r.stdout, "no\n", "the result so far is still printed")
    }

    /// A manifest without "duration" is evaluated (the audio gives the real-time factor's seconds); one whose lines
    /// are all bad fails with the first bad line's number and reason.
    func testEvalManifestWithoutDurationsAndAllBad() throws {
        let dir = TestPaths.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = dir.appendingPathComponent("m.jsonl").path
        try words.map { "{\"audio_filepath\": \"\(clip($0))\", \"text\": \"\($0)\"}" }.joined(separator: "\n")
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        let e = try CommandRunner.scribe(["eval", "--model", model, "--manifest", manifest, "--json", "--beam", "1"])
        XCTAssertEqual(e.status, 0, e.stderr)
        let summary = try JSONSerialization.jsonObject(with: Data(e.stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        XCTAssertEqual(summary["utterances"] as? Int, 6)
        XCTAssertEqual(summary["wer"] as? Double, 0)
        XCTAssertGreaterThan(summary["rtf"] as? Double ?? 0, 0, "the real-time factor needs the audio's length")
        let bad = dir.appendingPathComponent("bad.jsonl").path
        try "{\"audio_filepath\": \"missing.wav\", \"text\": \"a\"}\n{oops\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let b = try CommandRunner.scribe(["eval", "--model", model, "--manifest", bad])
        XCTAssertNotEqual(b.status, 0)
        XCTAssertTrue(b.stderr.contains("bad.jsonl:1: audio file not found"), b.stderr)
    }

    func testEvalAlignInfo() throws {
        let dir = TestPaths.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = dir.appendingPathComponent("m.jsonl").path
        try Fixtures.writeClipManifest(words, to: manifest)
        let e = try CommandRunner.scribe(["eval", "--model", model, "--manifest", manifest, "--json", "--beam", "1"])
        XCTAssertEqual(e.status, 0, e.stderr)
        let summary = try JSONSerialization.jsonObject(with: Data(e.stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        XCTAssertEqual(summary["wer"] as? Double, 0)
        XCTAssertEqual(summary["utterances"] as? Int, 6)
        for key in ["ref_words", "cer", "substitutions", "deletions", "insertions", "hits", "rtf", "wer_ci95"] {
            XCTAssertNotNil(summary[key], key)
        }
        let streamed = try CommandRunner.scribe(["eval", "--model", model, "--manifest", manifest, "--json", "--stream"])
        XCTAssertEqual(streamed.status, 0, streamed.stderr)
        let s2 = try JSONSerialization.jsonObject(with: Data(streamed.stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        XCTAssertEqual(s2["utterances"] as? Int, 6)
        XCTAssertNotNil(s2["wer"])
        let png = dir.appendingPathComponent("a.png").path
        let a = try CommandRunner.scribe(["align", clip("down"), "--model", model, "--image", png])
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: png)).prefix(4), Data([0x89, 0x50, 0x4E, 0x47]))
        let i = try CommandRunner.scribe(["info", "--model", model])
        XCTAssertTrue(i.stdout.contains("parameters: 75,376"), i.stdout)
        let missing = try CommandRunner.scribe(["--model", dir.appendingPathComponent("nope").path, clip("yes")])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("no such model directory"), missing.stderr)
    }
}
