// EvaluationError: everything that can go wrong reading and pairing transcripts, with the file, line or id
// involved and a hint. Programmer errors are preconditions, not cases here.

/// Errors of the Evaluation target. `description` names the file and line or id and says what to do.
public enum EvaluationError: Error, Equatable, CustomStringConvertible {
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    case emptyFile(path: String)
    case invalidUTF8(path: String, line: Int, byteOffset: Int)
    case duplicateID(path: String, id: String, firstLine: Int, line: Int)
    case malformedJSON(path: String, line: Int, reason: String)
    case missingField(path: String, line: Int, field: String)
    case lineCountMismatch(referencePath: String, referenceLines: Int, hypothesisPath: String, hypothesisLines: Int)
    case noCommonIDs(referencePath: String, hypothesisPath: String, referenceExample: String, hypothesisExample: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file"
        case .unreadable(let path, let reason):
            return "\(path): cannot read (\(reason))"
        case .emptyFile(let path):
            return "\(path): the file is empty; nothing to score"
        case .invalidUTF8(let path, let line, let offset):
            return "\(path):\(line): invalid UTF-8 at byte \(offset) of the file. HINT: convert with `iconv -t UTF-8`."
        case .duplicateID(let path, let id, let first, let line):
            return "\(path):\(line): duplicate utterance id \"\(id)\" (first on line \(first)). "
                + "HINT: if this is plain text rather than `id text` lines, pass --format plain."
        case .malformedJSON(let path, let line, let reason):
            return "\(path):\(line): not a JSON object (\(reason)). HINT: a manifest has one JSON object per line."
        case .missingField(let path, let line, let field):
            return "\(path):\(line): missing \(field)"
        case .lineCountMismatch(let rp, let rn, let hp, let hn):
            return "\(rp) has \(rn) utterances but \(hp) has \(hn); line-aligned files must match line for line. "
                + "HINT: use Kaldi `id text` files or manifests to pair by id."
        case .noCommonIDs(let rp, let hp, let re, let he):
            return "no utterance id is in both \(rp) (e.g. \"\(re)\") and \(hp) (e.g. \"\(he)\"). "
                + "HINT: check --format; plain text files are paired line by line."
        }
    }
}
