// The real `scribe features` binary: outputs, stdin handling and one-line errors with non-zero exits.
import Foundation
import TestSupport
import XCTest

final class FeaturesCLITests: XCTestCase {
    let fixture = TestPaths.repo("Tests/AudioTests/Fixtures/speech_16k_mono.wav")

    func assertFails(_ args: [String], stdin: Data? = nil, mentions: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try CommandRunner.scribe(args, stdin: stdin, timeout: 60)
        XCTAssertFalse(r.timedOut, "hung: \(args)", file: file, line: line)
        XCTAssertNotEqual(r.status, 0, "exit 0 for \(args)", file: file, line: line)
        XCTAssertTrue(r.stderr.lowercased().contains(mentions.lowercased()), "stderr lacks '\(mentions)': \(r.stderr)", file: file, line: line)
        XCTAssertFalse(r.stderr.contains("Fatal error"), "crashed: \(r.stderr)", file: file, line: line)
    }

    func testWritesNPYAndSummary() throws {
        let dir = TestPaths.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("f.npy").path
        let r = try CommandRunner.scribe(["features", fixture, "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: out))
        let header = String(decoding: bytes.prefix(128), as: UTF8.self)
        XCTAssertTrue(header.contains("'shape': (344, 80)"), header)
        XCTAssertEqual(bytes.count, 128 + 344 * 80 * 4)
        let s = try CommandRunner.scribe(["features", fixture])
        XCTAssertEqual(s.status, 0)
        XCTAssertTrue(s.stdout.contains("shape: [344, 80]"), s.stdout)
    }

    func testStdinWAVStreamAndRawPCMGiveTheSameFeatures() throws {
        let wav = try Data(contentsOf: URL(fileURLWithPath: fixture))
        let fromFile = try CommandRunner.scribe(["features", fixture])
        let fromWAVStream = try CommandRunner.scribe(["features", "-"], stdin: wav)
        let fromRaw = try CommandRunner.scribe(["features", "-", "--encoding", "s16le", "--rate", "16000"], stdin: wav.dropFirst(44))
        XCTAssertEqual(fromWAVStream.status, 0, fromWAVStream.stderr)
        XCTAssertEqual(fromRaw.status, 0, fromRaw.stderr)
        XCTAssertEqual(fromFile.stdout, fromWAVStream.stdout)
        XCTAssertEqual(fromFile.stdout, fromRaw.stdout)
    }

    func testBadInputs() throws {
        let dir = TestPaths.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = dir.appendingPathComponent("text.wav").path
        try Data("hello, I am text".utf8).write(to: URL(fileURLWithPath: text))
        try assertFails(["features", dir.appendingPathComponent("missing.wav").path], mentions: "no such file")
        try assertFails(["features", text], mentions: "not a readable audio file")
        try assertFails(["features", "-", "--rate", "0"], stdin: Data(count: 100), mentions: "--rate")
        try assertFails(["features", "-", "--rate", "-5"], stdin: Data(count: 100), mentions: "--rate")
        try assertFails(["features", "-"], stdin: Data([1, 2, 3]), mentions: "mid-sample")
        try assertFails(["features", "-"], stdin: Data(), mentions: "no audio samples")
        try assertFails(["features", fixture, "--out", "/nonexistent-dir/x.npy"], mentions: "cannot create")
    }

    func testHelpDescribesTheCommand() throws {
        let r = try CommandRunner.scribe(["features", "--help"])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stdout.contains("--out"))
        XCTAssertTrue(r.stdout.contains("--encoding"))
    }
}
