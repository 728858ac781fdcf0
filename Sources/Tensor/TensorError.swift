// TensorError: what can go wrong reading or restoring tensors from the outside world (files,
// checkpoints). Programmer errors (shape mismatches in ops) are preconditions, not these.
import Foundation

public enum TensorError: Error, CustomStringConvertible, Equatable {
    case fileUnreadable(path: String, reason: String)
    case fileUnwritable(path: String, reason: String)
    case truncated(path: String, needed: Int, available: Int)
    case corruptHeader(path: String, reason: String)
    case unsupportedDType(name: String, dtype: String)
    case missingTensor(name: String, available: [String])
    case shapeMismatch(name: String, expected: [Int], got: [Int])

    public var description: String {
        switch self {
        case let .fileUnreadable(path, reason): return "cannot read \(path): \(reason)"
        case let .fileUnwritable(path, reason): return "cannot write \(path): \(reason)"
        case let .truncated(path, needed, available):
            return "\(path) is truncated: needs \(needed) bytes, has \(available). HINT: the file was cut off while copying or saving; save it again"
        case let .corruptHeader(path, reason): return "\(path) has a corrupt safetensors header: \(reason)"
        case let .unsupportedDType(name, dtype):
            return "tensor \(name) has dtype \(dtype); only F32 is supported. HINT: convert with safetensors/numpy (astype float32)"
        case let .missingTensor(name, available):
            return "tensor \(name) not found (have: \(available.prefix(10).joined(separator: ", "))\(available.count > 10 ? ", …" : ""))"
        case let .shapeMismatch(name, expected, got): return "tensor \(name) has shape \(got), expected \(expected)"
        }
    }
}
