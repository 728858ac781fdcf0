// Dropout in a model config: accepted for every encoder and decoder kind (BiLSTM and LSTM speller since session 18,
// Transformer layers before), and range-checked with the field named.
import XCTest
@testable import Model

final class DropoutConfigTests: XCTestCase {
    func testRecurrentDropoutIsAcceptedAndRangeChecked() throws {
        var c = ModelConfig()
        c.encoder.kind = .blstm
        c.decoder.kind = .lstm
        c.encoder.dropout = 0.1
        c.decoder.dropout = 0.2
        XCTAssertNoThrow(try c.validate(path: "t", requireStatistics: false))
        c.decoder.dropout = -0.1
        XCTAssertThrowsError(try c.validate(path: "t", requireStatistics: false)) { error in
            XCTAssertTrue("\(error)".contains("decoder.dropout") && "\(error)".contains("[0, 1)"), "\(error)")
        }
    }

    func testTransformerDropoutIsAcceptedAndRangeChecked() throws {
        var c = ModelConfig()
        c.encoder.kind = .transformer
        c.encoder.streaming = nil
        c.decoder.kind = .transformer
        c.decoder.hidden = 64
        c.decoder.heads = 4
        c.encoder.dropout = 0.1
        c.decoder.dropout = 0.1
        XCTAssertNoThrow(try c.validate(path: "t", requireStatistics: false))
        c.encoder.dropout = 1
        XCTAssertThrowsError(try c.validate(path: "t", requireStatistics: false)) { error in
            XCTAssertTrue("\(error)".contains("encoder.dropout") && "\(error)".contains("[0, 1)"), "\(error)")
        }
    }

    func testDropoutIsNotPartOfTheArchitecture() {
        // Weights trained without dropout can start a run with it (`scribe train --init`), and averaged across it.
        var a = ModelConfig(), b = ModelConfig()
        b.encoder.dropout = 0.2
        b.decoder.dropout = 0.1
        XCTAssertEqual(a.architecture, b.architecture)
        a.encoder.hidden += 1
        XCTAssertNotEqual(a.architecture, b.architecture)
    }
}
