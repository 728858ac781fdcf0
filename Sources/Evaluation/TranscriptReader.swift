// TranscriptReader: reads transcripts to score: Kaldi `id text` files, line-aligned plain text, or JSON Lines
// manifests (NeMo style). Checks UTF-8 and duplicate ids; pairing reference with hypothesis is TranscriptPairing's.
import Foundation

/// How a transcript file is laid out.
public enum TranscriptFormat: String, CaseIterable, Sendable {
    /// JSON Lines if the first non-blank line starts with `{`; Kaldi if every non-blank line starts with a token
    /// holding a digit (such as `utt1` or `1089-134686-0000`); otherwise plain text.
    case auto
    /// `id text` per line (blank lines skipped).
    case kaldi
    /// One utterance per line, paired by line number (blank lines are empty transcripts).
    case plain
    /// One JSON object per line: id from `"id"` or `"audio_filepath"`, text from `"text"` (a hypothesis file
    /// prefers `"pred_text"`, as NeMo writes predictions next to the reference `"text"`).
    case jsonl
}

/// Which side a file is on (decides the JSON text key).
public enum TranscriptRole: Sendable { case reference, hypothesis }

/// One utterance of a transcript file.
public struct TranscriptEntry: Equatable, Sendable {
    public var id: String
    public var text: String
    /// 1-based line number in the file.
    public var line: Int
    public init(id: String, text: String, line: Int) { self.id = id; self.text = text; self.line = line }
}

/// A parsed transcript file.
public struct Transcript: Sendable {
    public var path: String
    /// The resolved format (never `.auto`).
    public var format: TranscriptFormat
    public var entries: [TranscriptEntry]
    /// True when entries carry real ids (Kaldi, JSON Lines); plain text is identified by line number.
    public var isKeyed: Bool { format != .plain }
}

/// Parses transcript files.
public enum TranscriptReader {
    /// Reads and parses the file at `path`.
    public static func read(path: String, format: TranscriptFormat = .auto,
                            role: TranscriptRole) throws -> Transcript {
        guard FileManager.default.fileExists(atPath: path) else { throw EvaluationError.fileNotFound(path: path) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw EvaluationError.unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        return try parse([UInt8](data), path: path, format: format, role: role)
    }

    /// Parses file contents; `path` is used in messages only.
    public static func parse(_ bytes: [UInt8], path: String, format: TranscriptFormat = .auto,
                             role: TranscriptRole) throws -> Transcript {
        if bytes.isEmpty { throw EvaluationError.emptyFile(path: path) }
        let lines = try splitLines(bytes, path: path)
        let resolved = format == .auto ? detect(lines) : format
        var entries: [TranscriptEntry] = []
        entries.reserveCapacity(lines.count)
        switch resolved {
        case .plain, .auto:
            for (k, text) in lines.enumerated() { entries.append(TranscriptEntry(id: "line \(k + 1)", text: text, line: k + 1)) }
        case .kaldi:
            for (k, text) in lines.enumerated() where !isBlank(text) {
                let (id, rest) = splitID(text)
                entries.append(TranscriptEntry(id: id, text: rest, line: k + 1))
            }
        case .jsonl:
            for (k, text) in lines.enumerated() where !isBlank(text) {
                entries.append(try parseJSONLine(text, line: k + 1, path: path, role: role))
            }
        }
        if entries.isEmpty { throw EvaluationError.emptyFile(path: path) }
        if resolved != .plain {
            var firstLine: [String: Int] = [:]
            for e in entries {
                if let first = firstLine[e.id] {
                    throw EvaluationError.duplicateID(path: path, id: e.id, firstLine: first, line: e.line)
                }
                firstLine[e.id] = e.line
            }
        }
        return Transcript(path: path, format: resolved, entries: entries)
    }

    // MARK: - Pieces

    /// Lines without their `\n` / `\r\n`, validated as UTF-8. A final newline does not start another line.
    static func splitLines(_ bytes: [UInt8], path: String) throws -> [String] {
        var lines: [String] = []
        var start = 0
        var lineNumber = 1
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            var stop = end
            if stop > start && bytes[stop - 1] == 0x0D { stop -= 1 }
            let line = try bytes[start..<stop].withUnsafeBufferPointer { buf -> String in
                if let s = String(validating: buf, as: UTF8.self) { return s }
                var offset = 0
                var decoder = UTF8()
                var it = buf.makeIterator()
                var consumed = 0
                loop: while true {
                    switch decoder.decode(&it) {
                    case .scalarValue(let s): consumed += UTF8.width(s)
                    case .emptyInput: break loop
                    case .error: offset = consumed; break loop
                    }
                }
                throw EvaluationError.invalidUTF8(path: path, line: lineNumber, byteOffset: start + offset)
            }
            lines.append(line)
            start = end + 1
            lineNumber += 1
        }
        return lines
    }

    static func isBlank(_ s: String) -> Bool { s.unicodeScalars.allSatisfy { Tokenization.isPythonSpace($0) } }

    /// The first whitespace-delimited token and the rest of the line after the whitespace that follows it.
    static func splitID(_ line: String) -> (String, String) {
        let scalars = line.unicodeScalars
        guard let idStart = scalars.firstIndex(where: { !Tokenization.isPythonSpace($0) }) else { return ("", "") }
        let idEnd = scalars[idStart...].firstIndex(where: { Tokenization.isPythonSpace($0) }) ?? scalars.endIndex
        let textStart = scalars[idEnd...].firstIndex(where: { !Tokenization.isPythonSpace($0) }) ?? scalars.endIndex
        return (String(scalars[idStart..<idEnd]), String(scalars[textStart...]))
    }

    static func detect(_ lines: [String]) -> TranscriptFormat {
        let content = lines.filter { !isBlank($0) }
        guard let first = content.first else { return .plain }
        if first.unicodeScalars.first(where: { !Tokenization.isPythonSpace($0) }) == "{" { return .jsonl }
        let allIDs = content.allSatisfy { splitID($0).0.unicodeScalars.contains { $0.properties.numericType != nil } }
        return allIDs ? .kaldi : .plain
    }

    static func parseJSONLine(_ text: String, line: Int, path: String, role: TranscriptRole) throws -> TranscriptEntry {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) } catch {
            throw EvaluationError.malformedJSON(path: path, line: line, reason: "invalid JSON")
        }
        guard let dict = object as? [String: Any] else {
            throw EvaluationError.malformedJSON(path: path, line: line, reason: "not an object")
        }
        let id: String
        if let s = dict["id"] as? String {
            id = s
        } else if let n = dict["id"] as? NSNumber {
            id = n.stringValue
        } else if let s = dict["audio_filepath"] as? String {
            id = s
        } else {
            throw EvaluationError.missingField(path: path, line: line, field: "\"id\" or \"audio_filepath\"")
        }
        let keys = role == .hypothesis ? ["pred_text", "text"] : ["text"]
        guard let textValue = keys.lazy.compactMap({ dict[$0] as? String }).first else {
            throw EvaluationError.missingField(path: path, line: line, field: keys.map { "\"\($0)\"" }.joined(separator: " or "))
        }
        return TranscriptEntry(id: id, text: textValue, line: line)
    }
}
