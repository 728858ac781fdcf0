// The JSON Lines training log (one object per line, flushed as written) that `scribe plot` draws.
import Foundation

public final class TrainingLog {
    public let path: String
    private let handle: FileHandle

    /// Opens `path` for appending (created if missing).
    public init(path: String) throws {
        self.path = path
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        guard let h = FileHandle(forWritingAtPath: path) else { throw TrainingError.io(path: path, reason: "cannot open log for writing") }
        handle = h
        _ = try? handle.seekToEnd()
    }

    deinit { try? handle.close() }

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
