// Errors of the Training target: manifests (by line), configs, checkpoints.
import Foundation

public enum TrainingError: Error, CustomStringConvertible {
    case manifest(path: String, line: Int, reason: String)
    /// No line was usable; `problems` are the bad lines' messages (empty when the file has no lines).
    case emptyManifest(path: String, problems: [String])
    case badConfig(path: String, field: String, reason: String)
    case checkpoint(path: String, reason: String)
    case io(path: String, reason: String)
    case average(path: String, first: String)

    public var description: String {
        switch self {
        case .manifest(let path, let line, let reason): return "\(path):\(line): \(reason)"
        case .emptyManifest(let path, let problems):
            guard let first = problems.first else { return "\(path): no usable utterances (the manifest has no lines)" }
            return "\(path): no usable utterances: \(problems.count == 1 ? "its one line is bad" : "all \(problems.count) lines are bad"); the first: \(first)"
        case .badConfig(let path, let field, let reason): return "\(path): field '\(field)': \(reason)"
        case .checkpoint(let path, let reason): return "\(path): \(reason) (the checkpoint is unusable; remove it or resume from an older one)"
        case .io(let path, let reason): return "\(path): \(reason)"
        case .average(let path, let first):
            return "\(path): its model config differs from \(first)'s; only checkpoints of one architecture can be averaged"
        }
    }
}
