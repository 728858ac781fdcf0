// A checkpoint brings back the whole TrainerState, the best validation result included (its "best_wer" key once
// read back as nil, so every resume forgot the best WER and replaced the best model at its next validation).
import Foundation
import TestSupport
@testable import Training
import XCTest

final class CheckpointStateTests: XCTestCase {
    func testCheckpointRestoresTheWholeTrainerState() throws {
        let dir = TestPaths.tempDirectory("scribe-checkpoint-state")
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = try clipManifest(in: dir)
        let config = tinyTrainingConfig(steps: 10)
        let (data, _) = try Dataset.load(try Manifest.read(manifest).entries, config: config.model, manifestPath: manifest)
        let out = dir.appendingPathComponent("run").path
        let trainer = try Trainer(config: config, train: data, valid: nil, outDirectory: out)
        var state = trainer.state
        state.step = 3
        state.epoch = 1
        state.batchInEpoch = 2
        state.bestWER = 0.42
        state.bestStep = 2
        state.elapsed = 12.5
        _ = state.rng.next()
        trainer.restore(state: state)
        try Checkpoint.save(trainer)
        let resumed = try Trainer(config: config, train: data, valid: nil, outDirectory: out, resumeFrom: try XCTUnwrap(Checkpoint.latest(out)))
        XCTAssertEqual(resumed.state, state)
        XCTAssertEqual(resumed.state.bestWER, 0.42)
    }
}
