// Every kind of unusable input gives a specific AudioError, never a crash or a silent empty result.
import Audio
import Foundation
import TestSupport
import XCTest

final class BadAudioTests: XCTestCase {
    var dir: URL!
    override func setUp() { dir = TestPaths.tempDirectory("scribe-bad-audio") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func file(_ name: String, _ data: Data) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A 16-bit mono WAV with `samples` and a data chunk that claims `claimedBytes` (nil: the truth).
    static func wav(_ samples: [Int16], rate: Int = 16_000, claimedBytes: Int? = nil) -> Data {
        var d = Data()
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { d.append(contentsOf: $0) } }
        let dataBytes = claimedBytes ?? samples.count * 2
        d.append(contentsOf: Array("RIFF".utf8)); u32(36 + dataBytes); d.append(contentsOf: Array("WAVE".utf8))
        d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(1); u32(rate); u32(rate * 2); u16(2); u16(16)
        d.append(contentsOf: Array("data".utf8)); u32(dataBytes)
        for s in samples { withUnsafeBytes(of: s.littleEndian) { d.append(contentsOf: $0) } }
        return d
    }

    func assertError(_ path: String, raw: RawPCMFormat? = nil, _ check: (AudioError) -> Bool, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let x = try AudioReader.load(path, raw: raw)
            XCTFail("expected an error, read \(x.count) samples", file: file, line: line)
        } catch let e as AudioError {
            XCTAssertTrue(check(e), "unexpected error: \(e)", file: file, line: line)
            XCTAssertFalse(e.description.isEmpty)
        } catch {
            XCTFail("not an AudioError: \(error)", file: file, line: line)
        }
    }

    func testMissingFile() {
        assertError(dir.appendingPathComponent("nope.wav").path) { if case .fileNotFound = $0 { return true }; return false }
    }

    func testTextFileNamedWav() throws {
        let path = try file("notes.wav", Data("these are not samples\n".utf8))
        assertError(path) { if case .unreadable = $0 { return true }; return false }
    }

    func testTruncatedHeader() throws {
        let full = Self.wav([Int16](repeating: 100, count: 1000))
        let path = try file("cut-header.wav", full.prefix(30))
        assertError(path) { if case .unreadable = $0 { return true }; return false }
    }

    func testTruncatedData() throws {
        let full = Self.wav([Int16](repeating: 100, count: 1000))
        let path = try file("cut-data.wav", full.prefix(44 + 600))
        assertError(path) {
            if case .truncated(_, let expected, let actual) = $0 { return expected == 2000 && actual == 600 }
            return false
        }
    }

    func testZeroLengthAudio() throws {
        let path = try file("empty.wav", Self.wav([]))
        assertError(path) { if case .empty = $0 { return true }; return false }
        let raw = try file("empty.raw", Data())
        assertError(raw, raw: RawPCMFormat()) { if case .empty = $0 { return true }; return false }
    }

    func testNonFiniteFloatSamples() throws {
        for (bad, label) in [(Float.nan, "NaN"), (Float.infinity, "+Inf")] {
            var samples = [Float](repeating: 0.1, count: 500)
            samples[321] = bad
            var d = Data()
            for s in samples { withUnsafeBytes(of: s.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
            let path = try file("nan.raw", d)
            assertError(path, raw: RawPCMFormat(encoding: .f32le)) {
                if case .nonFiniteSample(_, let index, let value) = $0 { return index == 321 && value == label }
                return false
            }
        }
    }

    func testNaNInFloatWAVFile() throws {
        // IEEE float WAV written by hand: format tag 3.
        var d = Data()
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { d.append(contentsOf: $0) } }
        var samples = [Float](repeating: 0.25, count: 100)
        samples[40] = .nan
        d.append(contentsOf: Array("RIFF".utf8)); u32(36 + 400); d.append(contentsOf: Array("WAVE".utf8))
        d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(3); u16(1); u32(16000); u32(64000); u16(4); u16(32)
        d.append(contentsOf: Array("data".utf8)); u32(400)
        for s in samples { withUnsafeBytes(of: s.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
        let path = try file("nan.wav", d)
        assertError(path) { if case .nonFiniteSample(_, let index, _) = $0 { return index == 40 }; return false }
    }

    func testOddByteCountOnS16Stream() throws {
        let path = try file("odd.raw", Data([1, 2, 3, 4, 5]))
        assertError(path, raw: RawPCMFormat(encoding: .s16le)) {
            if case .partialSample(_, let trailing, let bpf) = $0 { return trailing == 1 && bpf == 2 }
            return false
        }
    }

    func testAbsurdRates() throws {
        let path = try file("x.raw", Data(count: 100))
        for rate in [0, -16000, 5, 10_000_000] {
            assertError(path, raw: RawPCMFormat(sampleRate: rate)) { if case .badSampleRate = $0 { return true }; return false }
        }
        let wav = try file("rate1.wav", Self.wav([Int16](repeating: 5, count: 100), rate: 1))
        assertError(wav) {
            if case .badSampleRate = $0 { return true }
            if case .unreadable = $0 { return true }  // libsndfile may refuse it first
            return false
        }
    }
}
