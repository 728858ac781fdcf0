// Reading the same speech from different containers, encodings, rates and channel counts.
import Audio
import Foundation
import TestSupport
import XCTest

final class AudioFormatTests: XCTestCase {
    let fixtures = TestPaths.repo("Tests/AudioTests/Fixtures")

    func load(_ name: String) throws -> [Float] { try AudioReader.load("\(fixtures)/\(name)") }

    func testReads16kMonoWAV() throws {
        let reader = try AudioReader(path: "\(fixtures)/speech_16k_mono.wav")
        let x = try reader.readAll()
        XCTAssertEqual(reader.source.sampleRate, 16_000)
        XCTAssertEqual(reader.source.channels, 1)
        XCTAssertEqual(x.count, reader.inputFrames)
        XCTAssertGreaterThan(x.count, 40_000)
        XCTAssertLessThanOrEqual(x.map(abs).max()!, 1)
        XCTAssertGreaterThan(x.map(abs).max()!, 0.05)
    }

    func testLosslessEncodingsDecodeToTheSameSamples() throws {
        let reference = try load("speech_16k_mono.wav")
        for name in ["speech_16k_float.wav", "speech_16k_24bit.wav"] {
            let x = try load(name)
            XCTAssertEqual(x.count, reference.count, name)
            let maxDiff = zip(x, reference).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(maxDiff, 1e-6, name)  // 16-bit values are exact in float and 24-bit
        }
    }

    func testResamplesToSixteenKilohertz() throws {
        let reference = try load("speech_16k_mono.wav")
        for name in ["speech_44k_stereo.flac", "speech_8k_mono.wav", "speech_22k_u8.wav", "speech_16k.ogg"] {
            let reader = try AudioReader(path: "\(fixtures)/\(name)")
            let x = try reader.readAll()
            // Duration is kept within a few samples whatever the source rate.
            XCTAssertEqual(Double(x.count), Double(reference.count), accuracy: 20, name)
        }
        let stereo = try AudioReader(path: "\(fixtures)/speech_44k_stereo.flac")
        _ = try stereo.readAll()
        XCTAssertEqual(stereo.source.channels, 2)
        XCTAssertEqual(stereo.source.sampleRate, 44_100)
    }

    func testChunkedReadingEqualsWholeRead() throws {
        let whole = try load("speech_44k_stereo.flac")
        for chunk in [1, 333, 4096] {
            let reader = try AudioReader(path: "\(fixtures)/speech_44k_stereo.flac", chunkFrames: chunk)
            var parts = [Float]()
            while let c = try reader.nextChunk() { parts.append(contentsOf: c) }
            XCTAssertEqual(parts.count, whole.count, "chunk \(chunk)")
            let maxDiff = zip(parts, whole).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(maxDiff, 1e-5, "chunk \(chunk)")
        }
    }

    func testRawPCMFileWithGivenFormat() throws {
        let dir = TestPaths.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("x.raw").path
        // 0.5 s of a 300 Hz tone, stereo s16le at 8 kHz; both channels equal.
        var bytes = Data()
        for i in 0..<4000 {
            let v = Int16(10_000 * sin(2 * Double.pi * 300 * Double(i) / 8000))
            for _ in 0..<2 { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        }
        try bytes.write(to: URL(fileURLWithPath: path))
        let x = try AudioReader.load(path, raw: RawPCMFormat(encoding: .s16le, sampleRate: 8000, channels: 2))
        XCTAssertEqual(Double(x.count), 8000, accuracy: 4)
        let peak = x[1000..<7000].map(abs).max()!
        XCTAssertEqual(peak, 10_000 / 32768, accuracy: 0.02)
    }
}
