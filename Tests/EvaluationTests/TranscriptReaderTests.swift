// TranscriptReaderTests: the three file formats, format detection, pairing by id and by line, and every bad
// input (missing file, empty file, non-UTF-8, duplicate ids, bad JSON, missing fields, mismatches).
import Evaluation
import Foundation
import XCTest

final class TranscriptReaderTests: XCTestCase {
    func parse(_ text: String, _ format: TranscriptFormat = .auto, role: TranscriptRole = .reference) throws -> Transcript {
        try TranscriptReader.parse(Array(text.utf8), path: "t.txt", format: format, role: role)
    }

    func testKaldiPlainAndJSONLinesWithDetection() throws {
        let kaldi = try parse("utt1 hello world\r\nutt2\n\nutt3   spaced  out\n")
        XCTAssertEqual(kaldi.format, .kaldi)
        XCTAssertEqual(kaldi.entries, [TranscriptEntry(id: "utt1", text: "hello world", line: 1),
                                       TranscriptEntry(id: "utt2", text: "", line: 2),
                                       TranscriptEntry(id: "utt3", text: "spaced  out", line: 4)])
        let plain = try parse("the cat\n\nsat down\n")
        XCTAssertEqual(plain.format, .plain)
        XCTAssertEqual(plain.entries.map(\.text), ["the cat", "", "sat down"])
        let forcedPlain = try parse("utt1 hello\n", .plain)
        XCTAssertEqual(forcedPlain.entries.map(\.text), ["utt1 hello"])
        let manifest = """
            {"audio_filepath": "a.wav", "duration": 1.5, "text": "one"}
            {"id": 7, "text": "two", "pred_text": "too"}
            """
        XCTAssertEqual(try parse(manifest).entries.map(\.id), ["a.wav", "7"])
        XCTAssertEqual(try parse(manifest).entries.map(\.text), ["one", "two"])
        XCTAssertEqual(try parse(manifest, role: .hypothesis).entries.map(\.text), ["one", "too"])
    }

    func testBadInputsCarryContext() throws {
        XCTAssertThrowsError(try TranscriptReader.read(path: "/nonexistent/ref.txt", role: .reference)) {
            XCTAssertEqual($0 as? EvaluationError, .fileNotFound(path: "/nonexistent/ref.txt"))
        }
        XCTAssertThrowsError(try parse("")) { XCTAssertEqual($0 as? EvaluationError, .emptyFile(path: "t.txt")) }
        XCTAssertThrowsError(try parse("\n\n", .kaldi)) { XCTAssertEqual($0 as? EvaluationError, .emptyFile(path: "t.txt")) }
        let bytes: [UInt8] = Array("u1 ok\nu2 b".utf8) + [0xFF, 0x41] + Array("\n".utf8)
        XCTAssertThrowsError(try TranscriptReader.parse(bytes, path: "x", role: .reference)) {
            XCTAssertEqual($0 as? EvaluationError, .invalidUTF8(path: "x", line: 2, byteOffset: 10))
            XCTAssertTrue("\($0)".contains("x:2"))
        }
        XCTAssertThrowsError(try parse("u1 a\nu2 b\nu1 c\n")) {
            XCTAssertEqual($0 as? EvaluationError, .duplicateID(path: "t.txt", id: "u1", firstLine: 1, line: 3))
        }
        XCTAssertThrowsError(try parse("{\"id\": \"a\", \"text\": \"x\"}\n{broken\n")) {
            XCTAssertEqual($0 as? EvaluationError, .malformedJSON(path: "t.txt", line: 2, reason: "invalid JSON"))
        }
        XCTAssertThrowsError(try parse("{\"text\": \"x\"}\n")) {
            XCTAssertEqual($0 as? EvaluationError, .missingField(path: "t.txt", line: 1, field: "\"id\" or \"audio_filepath\""))
        }
        XCTAssertThrowsError(try parse("{\"id\": \"a\"}\n")) {
            XCTAssertEqual($0 as? EvaluationError, .missingField(path: "t.txt", line: 1, field: "\"text\""))
        }
    }

    func testPairingByIDReportsMismatchesByID() throws {
        let ref = try parse("u1 a\nu2 b\nu3 c\n")
        let hyp = try parse("u3 c\nu1 a\nu9 z\n", role: .hypothesis)
        let p = try TranscriptPairing(reference: ref, hypothesis: hyp)
        XCTAssertEqual(p.pairs, [TranscriptPair(id: "u1", reference: "a", hypothesis: "a"),
                                 TranscriptPair(id: "u3", reference: "c", hypothesis: "c")])
        XCTAssertEqual(p.missingInHypothesis, ["u2"])
        XCTAssertEqual(p.missingInReference, ["u9"])
        let disjoint = try parse("x1 a\n", role: .hypothesis)
        XCTAssertThrowsError(try TranscriptPairing(reference: ref, hypothesis: disjoint)) {
            XCTAssertEqual($0 as? EvaluationError, .noCommonIDs(referencePath: "t.txt", hypothesisPath: "t.txt",
                                                                referenceExample: "u1", hypothesisExample: "x1"))
        }
    }

    func testPairingByLine() throws {
        let manifest = try parse("{\"id\": \"a\", \"text\": \"one\"}\n{\"id\": \"b\", \"text\": \"two\"}\n")
        let plain = try parse("won\ntoo\n", role: .hypothesis)
        let p = try TranscriptPairing(reference: manifest, hypothesis: plain)
        XCTAssertEqual(p.pairs.map(\.id), ["a", "b"])
        XCTAssertEqual(p.pairs.map(\.hypothesis), ["won", "too"])
        let short = try parse("won\n", role: .hypothesis)
        XCTAssertThrowsError(try TranscriptPairing(reference: manifest, hypothesis: short)) {
            XCTAssertEqual($0 as? EvaluationError, .lineCountMismatch(referencePath: "t.txt", referenceLines: 2,
                                                                      hypothesisPath: "t.txt", hypothesisLines: 1))
        }
    }
}
