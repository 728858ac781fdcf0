// A model's decoding defaults (config.json "decoding"): `scribe eval` and `scribe info` use the model's CTC weight
// λ unless --ctc-weight overrides it, and `scribe`/`eval` its beam unless --beam does; an impossible value is refused
// naming the field.
import Foundation
import TestSupport
import XCTest

final class DecodingDefaultsCLITests: XCTestCase {
    func testTheModelsCTCWeightIsTheDefaultAndTheFlagOverridesIt() throws {
        let dir = TestPaths.tempDirectory("scribe-decoding-defaults")
        defer { try? FileManager.default.removeItem(at: dir) }
        // A tiny model with a CTC head whose config says: decode with CTC only (λ = 1), trained for 2 steps.
        var model = try Fixtures.tinyModelConfig()
        model["ctc_weight"] = 0.5
        model["decoding"] = ["ctc_weight": 1.0]
        let config = dir.appendingPathComponent("c.json").path
        try JSONSerialization.data(withJSONObject: ["seed": 1, "model": model, "max_steps": 2, "epochs": 0, "threads": 1,
                                                    "valid_every": 100, "checkpoint_every": 100, "spec_augment": ["enabled": false]])
            .write(to: URL(fileURLWithPath: config))
        let manifest = dir.appendingPathComponent("m.jsonl").path
        try Fixtures.writeClipManifest(["yes", "no", "up", "down"], to: manifest)
        let out = dir.appendingPathComponent("m").path
        let trained = try CommandRunner.scribe(["train", "--config", config, "--train", manifest, "--out", out, "--quiet"], timeout: 300)
        XCTAssertEqual(trained.status, 0, trained.stderr)

        let info = try CommandRunner.scribe(["info", "--model", out])
        XCTAssertTrue(info.stdout.contains("decoding λ 1.0"), info.stdout)
        func hypotheses(_ flags: [String]) throws -> String {
            let file = dir.appendingPathComponent("h.jsonl").path
            let r = try CommandRunner.scribe(["eval", "--model", out, "--manifest", manifest, "--beam", "3", "--threads", "1",
                                              "--hypotheses", file] + flags, timeout: 120)
            XCTAssertEqual(r.status, 0, r.stderr)
            return try String(contentsOfFile: file, encoding: .utf8)
        }
        let byDefault = try hypotheses([])
        XCTAssertEqual(byDefault, try hypotheses(["--ctc-weight", "1"]))
        XCTAssertNotEqual(byDefault, try hypotheses(["--ctc-weight", "0"]))

        var bad = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/config.json"))) as? [String: Any])
        bad["decoding"] = ["ctc_weight": 1.5]
        try JSONSerialization.data(withJSONObject: bad).write(to: URL(fileURLWithPath: "\(out)/config.json"))
        let refused = try CommandRunner.scribe(["info", "--model", out])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("decoding.ctc_weight"), refused.stderr)
    }

    func testTheModelsBeamIsTheDefaultAndTheFlagOverridesIt() throws {
        let dir = TestPaths.tempDirectory("scribe-decoding-beam")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try tinyModelCopy(in: dir)
        func setDecoding(_ decoding: [String: Any]) throws { try setModelDecoding(decoding, model: model) }
        let clip = TestPaths.repo("audio/yes.wav")
        try setDecoding(["beam": 2])
        let info = try CommandRunner.scribe(["info", "--model", model])
        XCTAssertTrue(info.stdout.contains("decoding beam: 2"), info.stdout)
        let tooMany = try CommandRunner.scribe(["--model", model, "--n-best", "3", "--format", "json", clip])
        XCTAssertNotEqual(tooMany.status, 0)
        XCTAssertTrue(tooMany.stderr.contains("--n-best must be in 1...beam (2)"), tooMany.stderr)
        let wider = try CommandRunner.scribe(["--model", model, "--beam", "4", "--n-best", "3", "--format", "json", clip])
        XCTAssertEqual(wider.status, 0, wider.stderr)
        // Greedy by the model's own default gives what --beam 1 gives.
        try setDecoding(["beam": 1])
        let greedy = try CommandRunner.scribe(["--model", model, "--format", "json", clip])
        XCTAssertEqual(greedy.status, 0, greedy.stderr)
        XCTAssertEqual(greedy.stdout, try CommandRunner.scribe(["--model", model, "--beam", "1", "--format", "json", clip]).stdout)
        try setDecoding(["beam": 0])
        let refused = try CommandRunner.scribe(["--model", model, clip])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("decoding.beam"), refused.stderr)
    }

    /// decoding.length_penalty and decoding.ilm_weight (session 27) are defaults the flags override; impossible values
    /// are refused naming the field.
    func testTheModelsLengthPenaltyAndInternalLMWeightAreDefaults() throws {
        let dir = TestPaths.tempDirectory("scribe-decoding-ilm")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try tinyModelCopy(in: dir)
        func setDecoding(_ decoding: [String: Any]) throws { try setModelDecoding(decoding, model: model) }
        let clips = ["yes", "no", "up"].map { TestPaths.repo("audio/\($0).wav") }
        func run(_ flags: [String]) throws -> String {
            let r = try CommandRunner.scribe(["--model", model, "--beam", "4", "--n-best", "3", "--format", "json"] + flags + clips)
            XCTAssertEqual(r.status, 0, r.stderr)
            return r.stdout
        }
        // A character LM in the model directory, fused by default (the model's κ applies only when an LM is fused).
        let text = dir.appendingPathComponent("t.txt").path
        try "yes\nno no\nup yes\n".write(toFile: text, atomically: true, encoding: .utf8)
        let lm = try CommandRunner.scribe(["lm", "--unit", "char", "--text", text, "--order", "3", "--out", "\(model)/lm.bin"])
        XCTAssertEqual(lm.status, 0, lm.stderr)
        try setDecoding(["lm_weight": 0.5])
        let plain = try run([])
        try setDecoding(["lm_weight": 0.5, "length_penalty": 0.3, "ilm_weight": 0.5])
        let info = try CommandRunner.scribe(["info", "--model", model])
        XCTAssertTrue(info.stdout.contains("length normalization: α 0.3") && info.stdout.contains("internal LM subtraction: κ 0.5"), info.stdout)
        let tuned = try run([])
        XCTAssertEqual(tuned, try run(["--length-penalty", "0.3", "--ilm-weight", "0.5"]))
        XCTAssertNotEqual(tuned, plain)
        XCTAssertEqual(plain, try run(["--length-penalty", "1", "--ilm-weight", "0"]))
        // Without the LM the model's κ is off; an explicit --ilm-weight still applies.
        XCTAssertEqual(try run(["--lm", "none"]), try run(["--lm", "none", "--ilm-weight", "0"]))
        for (key, value) in [("length_penalty", 4.0), ("ilm_weight", -1.0)] {
            try setDecoding([key: value])
            let refused = try CommandRunner.scribe(["--model", model, clips[0]])
            XCTAssertNotEqual(refused.status, 0)
            XCTAssertTrue(refused.stderr.contains("decoding.\(key)"), refused.stderr)
        }
    }
}

/// A copy of the tiny test model in `dir`; its path.
private func tinyModelCopy(in dir: URL) throws -> String {
    let model = dir.appendingPathComponent("model").path
    try FileManager.default.copyItem(atPath: TestPaths.repo("Tests/Fixtures/tiny-model"), toPath: model)
    return model
}

/// Replaces the "decoding" block of `model`'s config.json.
private func setModelDecoding(_ decoding: [String: Any], model: String) throws {
    var c = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(model)/config.json"))) as? [String: Any])
    c["decoding"] = decoding
    try JSONSerialization.data(withJSONObject: c).write(to: URL(fileURLWithPath: "\(model)/config.json"))
}
