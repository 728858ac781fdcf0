// `scribe normalize`: Scribe's transcript normalizer (Evaluation.TextNormalizer) as a filter, one line in, one
// line out, so scripts (scripts/make-corpus) normalize text exactly as training and scoring do.
// It does not drop lines: a line with nothing speakable comes out empty, and the count goes to stderr.
import ArgumentParser
import Evaluation
import Foundation

struct NormalizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "normalize",
        abstract: "Normalize text lines (lowercase, numbers and symbols spelled out, a-z ' and space only).",
        discussion: """
            Reads lines from FILE (or stdin when FILE is absent or `-`) and writes one normalized line per input \
            line, in order, so outputs pair with inputs by line number. A line that normalizes to nothing is \
            written as an empty line and counted; the counts go to stderr.

            Examples:
              echo 'Dr. Smith paid $5 & left at 3:30.' | scribe normalize
              scribe normalize sentences.txt > sentences.norm.txt
            """)

    @Argument(help: "Text file, one sentence a line (default: stdin).")
    var file: String?

    @Flag(help: "Print no counts on stderr.")
    var quiet = false

    func run() throws {
        let data: Data
        if let file, file != "-" {
            guard let d = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file): no such file or not readable")
            }
            data = d
        } else {
            data = FileHandle.standardInput.readDataToEndOfFile()
        }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(omittingEmptySubsequences: false,
            whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        if lines.last == "" { lines.removeLast() }
        let normalizer = TextNormalizer()
        var out = ""
        out.reserveCapacity(data.count)
        var empty = 0
        for line in lines {
            let n = normalizer.normalize(String(line))
            if n.isEmpty { empty += 1 }
            out += n
            out += "\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
        if !quiet {
            FileHandle.standardError.write(Data("normalize: \(lines.count) lines, \(empty) became empty\n".utf8))
        }
    }
}
