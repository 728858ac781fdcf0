// EditOperation: one step of a reference/hypothesis alignment (match, substitution, deletion, insertion).

/// One column of an alignment. A match or substitution consumes one reference and one hypothesis token,
/// a deletion one reference token, an insertion one hypothesis token.
public enum EditOperation: UInt8, Sendable, Equatable {
    case match, substitution, deletion, insertion

    /// The sclite evaluation letter: blank for a match, else S, D or I.
    public var scliteLetter: Character {
        switch self {
        case .match: return " "
        case .substitution: return "S"
        case .deletion: return "D"
        case .insertion: return "I"
        }
    }
}
