// `scribe manifest check`: validates NeMo-style JSON Lines manifests line by line (audio present and readable,
// duration matching the audio, text present and already normalized) and reports bad lines by number.
// It does not fix or rewrite manifests; scripts/make-corpus writes them.
import ArgumentParser
import Audio
import Evaluation
import Foundation

struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Work with JSON Lines manifests.",
        subcommands: [ManifestCheckCommand.self])
}

struct ManifestCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check manifests: every line's audio, duration and text. Exit status 1 if any line is bad.",
        discussion: """
            Each line must be a JSON object with "audio_filepath" (relative paths are taken from the manifest's \
            folder), "duration" in seconds and "text". A line is bad when it is not JSON, a key is missing, the \
            file is missing or not readable audio, the text is empty, normalizes to nothing or is not in \
            normalized form (see `scribe normalize`; --lenient-text accepts it), or the duration differs from the \
            audio's by more than --tolerance seconds. Bad lines are printed as FILE:LINE: reason.

            Examples:
              scribe manifest check corpus/train.jsonl corpus/dev.jsonl
              scribe manifest check --header-only corpus/train.jsonl   # faster: trusts the headers' lengths
            """)

    @Argument(help: "Manifest files (JSON Lines).")
    var manifests: [String]

    @Option(help: "Largest accepted difference between the stated and the real duration, in seconds.")
    var tolerance: Double = 0.05

    @Flag(help: "Take each file's length from its header instead of decoding every sample.")
    var headerOnly = false

    @Flag(help: "Accept text that is not in normalized form (it must still normalize to something).")
    var lenientText = false

    @Option(help: "Print at most this many bad lines per manifest (all are counted).")
    var maxReports = 100

    func validate() throws {
        if manifests.isEmpty { throw ValidationError("give at least one manifest") }
        if tolerance < 0 { throw ValidationError("--tolerance must be 0 or more, got \(tolerance)") }
    }

    func run() throws {
        var anyBad = false
        for manifest in manifests {
            let summary = try check(manifest)
            anyBad = anyBad || summary.bad > 0
            print(String(format: "%@: %d lines, %d bad, %.3f hours", manifest, summary.lines, summary.bad,
                         summary.seconds / 3600))
        }
        if anyBad { throw ExitCode(1) }
    }

    private func check(_ manifest: String) throws -> (lines: Int, bad: Int, seconds: Double) {
        guard let data = FileManager.default.contents(atPath: manifest) else {
            throw ValidationError("cannot read manifest \(manifest)")
        }
        let folder = (manifest as NSString).deletingLastPathComponent
        let normalizer = TextNormalizer()
        var lines = String(decoding: data, as: UTF8.self).split(omittingEmptySubsequences: false,
            whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        if lines.last == "" { lines.removeLast() }
        var bad = 0
        var seconds = 0.0
        for (index, line) in lines.enumerated() {
            let problems = checkLine(String(line), folder: folder, normalizer: normalizer, seconds: &seconds)
            if problems.isEmpty { continue }
            bad += 1
            if bad <= maxReports { print("\(manifest):\(index + 1): " + problems.joined(separator: "; ")) }
        }
        if bad > maxReports { print("\(manifest): \(bad - maxReports) more bad lines not shown") }
        return (lines.count, bad, seconds)
    }

    private func checkLine(_ line: String, folder: String, normalizer: TextNormalizer,
                           seconds: inout Double) -> [String] {
        if line.trimmingCharacters(in: .whitespaces).isEmpty { return ["empty line"] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)),
              let entry = object as? [String: Any] else { return ["not a JSON object"] }
        var problems: [String] = []
        switch entry["text"] {
        case let text as String:
            let normalized = normalizer.normalize(text)
            if text.isEmpty {
                problems.append("empty text")
            } else if normalized.isEmpty {
                problems.append("text normalizes to nothing: \(text.debugDescription)")
            } else if normalized != text && !lenientText {
                problems.append("text is not normalized: \(text.debugDescription) -> \(normalized.debugDescription)")
            }
        case nil: problems.append("missing \"text\"")
        default: problems.append("\"text\" is not a string")
        }
        let stated = (entry["duration"] as? NSNumber)?.doubleValue
        if entry["duration"] == nil {
            problems.append("missing \"duration\"")
        } else if stated == nil {
            problems.append("\"duration\" is not a number")
        }
        guard let relative = entry["audio_filepath"] as? String, !relative.isEmpty else {
            problems.append(entry["audio_filepath"] == nil ? "missing \"audio_filepath\""
                                                           : "\"audio_filepath\" is not a non-empty string")
            return problems
        }
        let path = relative.hasPrefix("/") || folder.isEmpty ? relative : folder + "/" + relative
        guard FileManager.default.fileExists(atPath: path) else {
            problems.append("missing file \(path)")
            return problems
        }
        do {
            let actual = try audioSeconds(path)
            seconds += actual
            if let stated, abs(stated - actual) > tolerance {
                problems.append(String(format: "wrong duration: stated %.3f s, audio is %.3f s", stated, actual))
            }
        } catch {
            problems.append("unreadable audio: \(error)")
        }
        return problems
    }

    /// Length of the audio in seconds: decoded sample by sample unless --header-only.
    private func audioSeconds(_ path: String) throws -> Double {
        let source = try SndfileSource(path: path)
        if source.sampleRate <= 0 { throw AudioError.badSampleRate(path: path, rate: source.sampleRate) }
        if headerOnly {
            if source.frames <= 0 { throw AudioError.empty(path: path) }
            return Double(source.frames) / Double(source.sampleRate)
        }
        let chunk = 8192
        var buffer = [Float](repeating: 0, count: chunk * max(1, source.channels))
        var frames = 0
        while true {
            let n = try buffer.withUnsafeMutableBufferPointer { try source.read(into: $0.baseAddress!, maxFrames: chunk) }
            if n == 0 { break }
            frames += n
        }
        if frames == 0 { throw AudioError.empty(path: path) }
        return Double(frames) / Double(source.sampleRate)
    }
}
