// A resumed run logs every step once: the entries a stopped run wrote after its last checkpoint are dropped when the
// run resumes from that checkpoint (they are written again), and so is a line the kill left half written.
import Foundation
import TestSupport
@testable import Training
import XCTest

final class TrainingLogTests: XCTestCase {
    private func entry(_ step: Int, _ kind: String = "train") -> TrainingLogEntry {
        TrainingLogEntry(step: step, epoch: 0, kind: kind, loss: Double(step), elapsed: Double(step))
    }

    func testResumingDropsTheEntriesAfterTheCheckpoint() throws {
        let dir = TestPaths.tempDirectory("scribe-training-log")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("train.log.jsonl").path
        do {
            let log = try TrainingLog(path: path)
            for step in [10, 20, 30, 40] { try log.write(entry(step)) }
            try log.write(entry(20, "valid"))
        }
        // A kill in the middle of a write.
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("{\"step\":50,\"ki".utf8))
        handle.closeFile()

        do {
            let log = try TrainingLog(path: path, resumingAfter: 20)
            for step in [30, 40] { try log.write(entry(step)) }
        }
        let entries = try TrainingLog.read(path)
        XCTAssertEqual(entries.map(\.step), [10, 20, 20, 30, 40])
        XCTAssertEqual(entries.map(\.kind), ["train", "train", "valid", "train", "train"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["train.log.jsonl"])  // no temp file left
    }

    func testANewRunAppendsToTheLogAsItIs() throws {
        let dir = TestPaths.tempDirectory("scribe-training-log-append")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("train.log.jsonl").path
        do { try TrainingLog(path: path).write(entry(10)) }
        do { try TrainingLog(path: path).write(entry(10)) }
        XCTAssertEqual(try TrainingLog.read(path).map(\.step), [10, 10])
    }
}
