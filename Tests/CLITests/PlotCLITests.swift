// `scribe plot LOG`: the training curves as an SVG (losses, a speaker adversary's among them; CER and WER per
// validation search), and clear errors for a missing log, a malformed line and a log with nothing to plot.
import Foundation
import TestSupport
import XCTest

final class PlotCLITests: XCTestCase {
    func testDrawsTheCurvesAndRefusesBadLogs() throws {
        let dir = TestPaths.tempDirectory("scribe-plot")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("train.log.jsonl").path
        var lines = (1...5).map { #"{"kind": "train", "step": \#($0 * 10), "epoch": 0, "loss": \#(3.0 - Double($0) * 0.2), "elapsed": \#($0)}"# }
        lines.append(#"{"kind": "valid", "step": 25, "epoch": 0, "valid_loss": 2.1, "cer": 0.8, "wer": 1.2, "elapsed": 3}"#)
        lines.append(#"{"kind": "valid", "step": 50, "epoch": 0, "valid_loss": 1.9, "cer": 0.5, "wer": 0.7, "elapsed": 6, "search": "beam 4, CTC 0.15"}"#)
        try lines.joined(separator: "\n").write(toFile: log, atomically: true, encoding: .utf8)
        let r = try CommandRunner.scribe(["plot", log])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("5 training points, 2 validations"), r.stdout)
        let svg = try String(contentsOfFile: dir.appendingPathComponent("train.log.svg").path, encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg"))
        // train loss, valid loss, and CER + WER for each of the two searches.
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 6)
        for label in ["train loss", "valid loss", "WER (search not logged)", "WER (beam 4, CTC 0.15)", "CER (beam 4, CTC 0.15)"] {
            XCTAssertTrue(svg.contains(">\(label)<"), "the legend lacks \(label)")
        }
        XCTAssertFalse(svg.contains("speaker loss"), "no speaker curve without a speaker adversary")
        // A speaker-adversarial run's log: its speaker loss gets a curve of its own.
        let adversary = dir.appendingPathComponent("adversary.log.jsonl").path
        try (1...4).map { #"{"kind": "train", "step": \#($0), "epoch": 0, "loss": 4.5, "speaker": \#(4.0 - Double($0) * 0.1), "speaker_accuracy": 0.05, "speaker_lambda": 0.1, "elapsed": \#($0)}"# }
            .joined(separator: "\n").write(toFile: adversary, atomically: true, encoding: .utf8)
        XCTAssertEqual(try CommandRunner.scribe(["plot", adversary]).status, 0)
        let adversarySVG = try String(contentsOfFile: dir.appendingPathComponent("adversary.log.svg").path, encoding: .utf8)
        XCTAssertTrue(adversarySVG.contains(">speaker loss (in train loss)<"))
        XCTAssertEqual(adversarySVG.components(separatedBy: "<polyline").count - 1, 2)

        let missing = try CommandRunner.scribe(["plot", dir.appendingPathComponent("nope.jsonl").path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("nope.jsonl"), missing.stderr)
        try (lines[0] + "\n{\"kind\": \"train\", \"step\": oops}\n").write(toFile: log, atomically: true, encoding: .utf8)
        let malformed = try CommandRunner.scribe(["plot", log])
        XCTAssertNotEqual(malformed.status, 0)
        XCTAssertTrue(malformed.stderr.contains("train.log.jsonl:2:") && malformed.stderr.contains("not a training log entry"), malformed.stderr)
        try "".write(toFile: log, atomically: true, encoding: .utf8)
        let empty = try CommandRunner.scribe(["plot", log])
        XCTAssertNotEqual(empty.status, 0)
        XCTAssertTrue(empty.stderr.contains("no entries"), empty.stderr)
    }
}
