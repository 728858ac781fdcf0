// Validation decodes with the configured search: greedy by default, a joint CTC beam with "valid_search"; the
// teacher-forced validation loss does not depend on it; impossible settings are refused naming the field.
import Foundation
import Model
import TestSupport
import Training
import XCTest

final class ValidSearchTests: XCTestCase {
    func testValidationUsesTheConfiguredSearch() throws {
        let dir = TestPaths.tempDirectory("scribe-valid-search")
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = try clipManifest(in: dir)
        var config = tinyTrainingConfig(steps: 3)
        config.model.ctcWeight = 0.5
        let (data, _) = try Dataset.load(try Manifest.read(manifest).entries, config: config.model, manifestPath: manifest)
        func validation(_ search: ValidSearchConfig) throws -> (loss: Double, cer: Double, wer: Double) {
            var c = config
            c.validSearch = search
            let trainer = try Trainer(config: c, train: data, valid: data, outDirectory: dir.appendingPathComponent("m\(search.beam)").path)
            try trainer.run(log: nil)
            return try XCTUnwrap(trainer.validate())
        }
        let greedy = try validation(ValidSearchConfig())
        var ctcBeam = ValidSearchConfig()
        (ctcBeam.beam, ctcBeam.ctcWeight) = (3, 1)
        let beam = try validation(ctcBeam)
        XCTAssertEqual(greedy.loss, beam.loss, accuracy: 1e-9, "the same weights and the same teacher-forced loss")
        XCTAssertNotEqual(greedy.cer, beam.cer, "an untrained model decodes differently by CTC prefix scores than greedily")

        let path = dir.appendingPathComponent("bad.json").path
        try "{\"valid_search\": {\"beam\": 0}}".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TrainingConfig.load(path)) { XCTAssertTrue("\($0)".contains("valid_search"), "\($0)") }
    }
}
