// Model directories: save/load round trip, and clear errors naming the file and the field for a missing file,
// an unknown attention kind, inconsistent sizes, unknown keys, a format version mismatch and wrong weights.
import Model
import NN
import Tensor
import TestSupport
import XCTest

final class ModelDirectoryTests: XCTestCase {
    var dir: String!
    override func setUp() { dir = TestPaths.tempDirectory("scribe-model").path }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func saved() throws -> SpeechRecognizer {
        let m = SpeechRecognizer(config: tinyConfig())
        try ModelDirectory.save(m, to: dir)
        return m
    }

    func expectError(_ mentions: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ModelDirectory.load(dir), file: file, line: line) { e in
            let text = "\(e)"
            for m in mentions { XCTAssertTrue(text.contains(m), "'\(text)' lacks '\(m)'", file: file, line: line) }
        }
    }

    func editConfig(_ edit: (inout [String: Any]) -> Void) throws {
        let path = "\(dir!)/config.json"
        var obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        edit(&obj)
        try JSONSerialization.data(withJSONObject: obj).write(to: URL(fileURLWithPath: path))
    }

    func testRoundTrip() throws {
        let m = try saved()
        let loaded = try ModelDirectory.load(dir)
        XCTAssertEqual(loaded.config, m.config)
        for ((n1, a), (n2, b)) in zip(m.namedParameters, loaded.namedParameters) {
            XCTAssertEqual(n1, n2)
            XCTAssertEqual(a.data, b.data, n1)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir!)/README.md"))
    }

    func testMissingFiles() throws {
        _ = try saved()
        try FileManager.default.removeItem(atPath: "\(dir!)/model.safetensors")
        expectError(["model.safetensors", "missing"])
        _ = try saved()
        try FileManager.default.removeItem(atPath: "\(dir!)/config.json")
        expectError(["config.json", "missing"])
    }

    func testUnknownAttentionKind() throws {
        _ = try saved()
        try editConfig { var a = $0["attention"] as! [String: Any]; a["kind"] = "psychic"; $0["attention"] = a }
        expectError(["config.json", "attention.kind"])
    }

    func testInconsistentSizes() throws {
        _ = try saved()
        try editConfig {
            var a = $0["attention"] as! [String: Any]; a["kind"] = "multihead"; a["heads"] = 3; $0["attention"] = a
        }
        expectError(["config.json", "attention.heads"])
        _ = try saved()
        try editConfig { var n = $0["normalization"] as! [String: Any]; n["kind"] = "global"; n["mean"] = [0.0, 1.0]; $0["normalization"] = n }
        expectError(["config.json", "normalization"])
    }

    /// `normalization.online_mean` round-trips through config.json, keys of its own only, and sane sizes.
    func testOnlineMeanNormalizationInConfig() throws {
        var config = tinyConfig()
        config.normalization.onlineMean = OnlineMeanConfig(window: 250, priorFrames: 40)
        try ModelDirectory.save(SpeechRecognizer(config: config), to: dir)
        XCTAssertEqual(try ModelDirectory.load(dir).config.normalization.onlineMean, OnlineMeanConfig(window: 250, priorFrames: 40))
        XCTAssertTrue(ModelSummary(model: SpeechRecognizer(config: config)).lines().joined(separator: "\n").contains("online mean (window 250 frames, prior 40)"))
        try editConfig { var n = $0["normalization"] as! [String: Any]; n["online_mean"] = ["window": 0, "prior_frames": 1]; $0["normalization"] = n }
        expectError(["config.json", "normalization.online_mean", "window"])
        try editConfig { var n = $0["normalization"] as! [String: Any]; n["online_mean"] = ["window": 10, "priors": 1]; $0["normalization"] = n }
        expectError(["config.json", "normalization.online_mean.priors"])
    }

    func testUnknownKeyAndVersion() throws {
        _ = try saved()
        try editConfig { var e = $0["encoder"] as! [String: Any]; e["hiden"] = 3; $0["encoder"] = e }
        expectError(["config.json", "encoder.hiden"])
        _ = try saved()
        try editConfig { $0["format_version"] = 99 }
        expectError(["config.json", "version 99", "HINT"])
    }

    func testWeightsOfTheWrongShape() throws {
        _ = try saved()
        var c = tinyConfig()
        c.decoder.hidden = 14
        try ModelDirectory.save(SpeechRecognizer(config: c), to: dir + "-other")
        defer { try? FileManager.default.removeItem(atPath: dir + "-other") }
        try FileManager.default.removeItem(atPath: "\(dir!)/model.safetensors")
        try FileManager.default.copyItem(atPath: "\(dir!)-other/model.safetensors", toPath: "\(dir!)/model.safetensors")
        expectError(["model.safetensors", "decoder.cell.w_ih", "[48, 21]"])
    }

    func testTruncatedWeights() throws {
        _ = try saved()
        let path = "\(dir!)/model.safetensors"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        expectError(["model.safetensors"])
    }

    func testVocabularyEncodesNormalizedText() {
        let v = Vocabulary.characters
        XCTAssertEqual(v.decode(v.encode("It's 2 A.M.!")), "it's two am")
        XCTAssertEqual(v.count, 30)
    }
}
