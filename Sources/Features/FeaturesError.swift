// Errors of the Features target.
import Foundation

/// Why features could not be computed, loaded or saved.
public enum FeaturesError: Error, CustomStringConvertible {
    case badConfig(field: String, reason: String)
    case badNPY(path: String, reason: String)
    case io(path: String, reason: String)
    case dimensionMismatch(expected: Int, got: Int, context: String)

    public var description: String {
        switch self {
        case .badConfig(let field, let reason): return "feature config: field '\(field)' \(reason)"
        case .badNPY(let path, let reason): return "\(path): not a usable .npy file (\(reason))"
        case .io(let path, let reason): return "\(path): \(reason)"
        case .dimensionMismatch(let expected, let got, let context):
            return "\(context): expected feature dimension \(expected), got \(got)"
        }
    }
}
