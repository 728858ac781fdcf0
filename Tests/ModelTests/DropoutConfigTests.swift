// Dropout in a model config: accepted where a layer implements it (Transformer encoder and decoder), refused with
// the field named where the layer would silently ignore it (BiLSTM encoder, LSTM speller), and range-checked.
import XCTest
@testable import Model

final class DropoutConfigTests: XCTestCase {
    func testDropoutIsRefusedWhereItWouldBeIgnored() throws {
        var c = ModelConfig()
        c.encoder.kind = .blstm
        c.decoder.kind = .lstm
        XCTAssertNoThrow(try c.validate(path: "t", requireStatistics: false))
        c.encoder.dropout = 0.1
        XCTAssertThrowsError(try c.validate(path: "t", requireStatistics: false)) { error in
            XCTAssertTrue("\(error)".contains("encoder.dropout") && "\(error)".contains("BiLSTM"), "\(error)")
        }
        c.encoder.dropout = 0
        c.decoder.dropout = 0.2
        XCTAssertThrowsError(try c.validate(path: "t", requireStatistics: false)) { error in
            XCTAssertTrue("\(error)".contains("decoder.dropout") && "\(error)".contains("LSTM speller"), "\(error)")
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
            XCTAssertTrue("\(error)".contains("[0, 1)"), "\(error)")
        }
    }
}
