// Inputs that several tests build the same way: a manifest of the 1-second clips in audio/, and the tiny test
// model's config as the "model" of a training config.
import Foundation

public enum Fixtures {
    /// Writes a NeMo-style manifest of audio/WORD.wav for each word (duration 1 s, transcript WORD) to `path`.
    public static func writeClipManifest(_ words: [String], to path: String) throws {
        try words.map { "{\"audio_filepath\": \"\(TestPaths.repo("audio/\($0).wav"))\", \"duration\": 1.0, \"text\": \"\($0)\"}" }
            .joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Tests/Fixtures/tiny-model/config.json as a JSON object without "format_version": a training config's "model".
    public static func tinyModelConfig() throws -> [String: Any] {
        let path = TestPaths.repo("Tests/Fixtures/tiny-model/config.json")
        guard var model = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: path])
        }
        model["format_version"] = nil
        return model
    }
}
