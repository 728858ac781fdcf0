// The JSON Lines training log (one object per line, flushed as written) that `scribe plot` draws.
import Foundation
import Model

public final class TrainingLog {
    public let path: String
    private let handle: FileHandle

    /// Opens `path` for appending (created if missing). A resumed run passes its checkpoint's step as
    /// `resumingAfter`: the entries of later steps, which the stopped run wrote after that checkpoint and the resumed
    /// run will write again, are dropped first (the file is rewritten through a temp file and a rename), as is a
    /// line a kill left half written, so that every step is logged once.
    public init(path: String, resumingAfter step: Int? = nil) throws {
        self.path = path
        if let step, FileManager.default.fileExists(atPath: path) { try Self.truncate(path, after: step) }
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        guard let h = FileHandle(forWritingAtPath: path) else { throw TrainingError.io(path: path, reason: "cannot open log for writing") }
        handle = h
        _ = try? handle.seekToEnd()
    }

    deinit { try? handle.close() }

    /// Keeps the lines of `path` that are JSON objects with a `step` of at most `step`.
    static func truncate(_ path: String, after step: Int) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw TrainingError.io(path: path, reason: "cannot read log") }
        var kept = Data()
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: true) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let s = object["step"] as? Int, s <= step else { continue }
            kept.append(contentsOf: line)
            kept.append(0x0A)
        }
        if kept.count != data.count { try ModelDirectory.atomicWrite(kept, to: path) }
    }

    public func write(_ entry: TrainingLogEntry) throws {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys]
        var data = try e.encode(entry)
        data.append(0x0A)
        do { try handle.write(contentsOf: data) } catch { throw TrainingError.io(path: path, reason: "write failed: \(error.localizedDescription)") }
    }

    /// Reads every entry of a log (for plotting).
    public static func read(_ path: String) throws -> [TrainingLogEntry] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw TrainingError.io(path: path, reason: "cannot read log") }
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        var out = [TrainingLogEntry]()
        for (i, line) in text.split(separator: "\n").enumerated() {
            do { out.append(try d.decode(TrainingLogEntry.self, from: Data(line.utf8))) } catch {
                throw TrainingError.manifest(path: path, line: i + 1, reason: "not a training log entry")
            }
        }
        return out
    }
}
