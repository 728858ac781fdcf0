// ErrorCounts: hits, substitutions, deletions and insertions of one alignment or of a whole corpus,
// and the error rate they imply. Pure arithmetic; aligning is EditAligner's job.

/// Counts of one reference/hypothesis alignment (or the sum over many), in tokens (words or characters).
///
/// Empty references are defined here (jiwer raises on them):
/// - empty reference and empty hypothesis: 0 errors, rate 0;
/// - empty reference, non-empty hypothesis: every hypothesis token is an insertion; the utterance rate is
///   undefined (`rate == nil`, written as JSON `null`), but the insertions count in corpus totals.
public struct ErrorCounts: Equatable, Hashable, Sendable {
    public var hits: Int
    public var substitutions: Int
    public var deletions: Int
    public var insertions: Int

    public init(hits: Int = 0, substitutions: Int = 0, deletions: Int = 0, insertions: Int = 0) {
        self.hits = hits
        self.substitutions = substitutions
        self.deletions = deletions
        self.insertions = insertions
    }

    /// The number of reference tokens: hits + substitutions + deletions.
    public var referenceLength: Int { hits + substitutions + deletions }
    /// The number of hypothesis tokens: hits + substitutions + insertions.
    public var hypothesisLength: Int { hits + substitutions + insertions }
    /// Substitutions + deletions + insertions (the edit distance).
    public var errors: Int { substitutions + deletions + insertions }

    /// errors / reference length as a fraction; 0 when both are 0; `nil` when the reference is empty
    /// but there are insertions (the rate is infinite).
    public var rate: Double? {
        let n = referenceLength
        if n == 0 { return errors == 0 ? 0 : nil }
        return Double(errors) / Double(n)
    }

    public static func + (a: ErrorCounts, b: ErrorCounts) -> ErrorCounts {
        ErrorCounts(hits: a.hits + b.hits, substitutions: a.substitutions + b.substitutions,
                    deletions: a.deletions + b.deletions, insertions: a.insertions + b.insertions)
    }

    public static func += (a: inout ErrorCounts, b: ErrorCounts) { a = a + b }
}
