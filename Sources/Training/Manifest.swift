// NeMo-style JSON Lines manifests: {"audio_filepath": ..., "duration": ..., "text": ...} per line, paths
// relative to the manifest allowed. Bad lines are reported by number.
import Foundation

/// One utterance of a manifest.
public struct ManifestEntry: Sendable, Equatable {
    /// Absolute (resolved) audio path.
    public var audioPath: String
    /// Seconds, from the manifest; 0 when it gives none and the reader allowed that (`requireDuration` false).
    public var duration: Double
    public var text: String
    /// 1-based line number in the manifest.
    public var line: Int
    /// An id: the "id" key if present, else the audio path as written.
    public var id: String
    /// Who speaks: the "voice" key (synthetic corpus), else "speaker" (real sets), else nil.
    public var voice: String? = nil
}

public enum Manifest {
    /// Parses `path`. Throws on the first bad line (with its number) unless `skipBad`, in which case bad
    /// lines are returned in `problems`. With `requireDuration` false, a line without "duration" is accepted
    /// (its entry's duration is 0); a "duration" that is there must still be a positive number.
    public static func read(_ path: String, skipBad: Bool = false, requireDuration: Bool = true) throws -> (entries: [ManifestEntry], problems: [String]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainingError.io(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read" : "no such manifest")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw TrainingError.io(path: path, reason: "not UTF-8 text") }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var entries = [ManifestEntry](), problems = [String]()
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            do {
                entries.append(try parse(line, number: i + 1, folder: folder, path: path, requireDuration: requireDuration))
            } catch let e as TrainingError {
                if !skipBad { throw e }
                problems.append(e.description)
            }
        }
        if entries.isEmpty { throw TrainingError.emptyManifest(path: path, problems: problems) }
        return (entries, problems)
    }

    static func parse(_ line: String, number: Int, folder: String, path: String, requireDuration: Bool) throws -> ManifestEntry {
        func bad(_ reason: String) -> TrainingError { .manifest(path: path, line: number, reason: reason) }
        guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw bad("not a JSON object")
        }
        guard let audio = obj["audio_filepath"] as? String, !audio.isEmpty else { throw bad("missing \"audio_filepath\"") }
        guard let text = obj["text"] as? String else { throw bad("missing \"text\"") }
        let duration: Double
        if obj["duration"] == nil && !requireDuration {
            duration = 0
        } else {
            duration = (obj["duration"] as? NSNumber)?.doubleValue ?? -1
            guard duration > 0, duration.isFinite else { throw bad("\"duration\" must be a positive number of seconds") }
        }
        let resolved = audio.hasPrefix("/") ? audio : "\(folder)/\(audio)"
        guard FileManager.default.fileExists(atPath: resolved) else { throw bad("audio file not found: \(resolved)") }
        let id = (obj["id"] as? String) ?? audio
        let voice = (obj["voice"] as? String) ?? (obj["speaker"] as? String)
        return ManifestEntry(audioPath: resolved, duration: duration, text: text, line: number, id: id, voice: voice)
    }
}
