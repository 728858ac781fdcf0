// AlignedUtterance: one utterance's word alignment as tokens and operations, rendered sclite-style
// (correct words lowercase, errors uppercase, *** for the missing side, an Eval line of S/D/I).

/// The word alignment of one utterance, for reports.
public struct AlignedUtterance: Sendable, Equatable {
    public var id: String
    public var counts: ErrorCounts
    /// One column per operation: the reference word (nil for an insertion) and hypothesis word (nil for a deletion).
    public var columns: [(reference: String?, hypothesis: String?, operation: EditOperation)]

    public static func == (a: AlignedUtterance, b: AlignedUtterance) -> Bool {
        a.id == b.id && a.counts == b.counts && a.columns.elementsEqual(b.columns) {
            $0.reference == $1.reference && $0.hypothesis == $1.hypothesis && $0.operation == $1.operation
        }
    }

    /// Builds the columns from the tokens and the operations of `EditAligner`.
    public init(id: String, reference: [String], hypothesis: [String], operations: [EditOperation]) {
        self.id = id
        var cols: [(String?, String?, EditOperation)] = []
        var c = ErrorCounts()
        var i = 0, j = 0
        for op in operations {
            switch op {
            case .match: cols.append((reference[i], hypothesis[j], op)); i += 1; j += 1; c.hits += 1
            case .substitution: cols.append((reference[i], hypothesis[j], op)); i += 1; j += 1; c.substitutions += 1
            case .deletion: cols.append((reference[i], nil, op)); i += 1; c.deletions += 1
            case .insertion: cols.append((nil, hypothesis[j], op)); j += 1; c.insertions += 1
            }
        }
        precondition(i == reference.count && j == hypothesis.count, "operations do not cover the tokens")
        columns = cols.map { (reference: $0.0, hypothesis: $0.1, operation: $0.2) }
        counts = c
    }

    /// The sclite-style REF, HYP and Eval lines, e.g.
    /// ```
    /// REF:  the CAT sat *** on
    /// HYP:  the BAT sat NOW on
    /// Eval:     S       I
    /// ```
    public var scliteLines: (reference: String, hypothesis: String, eval: String) {
        var ref = "REF: ", hyp = "HYP: ", eval = "Eval:"
        for col in columns {
            let isError = col.operation != .match
            let r = col.reference.map { isError ? $0.uppercased() : $0 }
            let h = col.hypothesis.map { isError ? $0.uppercased() : $0 }
            let width = max(r?.count ?? 0, h?.count ?? 0, 1)
            func cell(_ s: String?) -> String {
                let text = s ?? String(repeating: "*", count: width)
                return " " + text + String(repeating: " ", count: width - text.count)
            }
            ref += cell(r)
            hyp += cell(h)
            eval += " " + String(col.operation.scliteLetter) + String(repeating: " ", count: width - 1)
        }
        func trim(_ s: String) -> String {
            var s = Substring(s)
            while s.last == " " { s = s.dropLast() }
            return String(s)
        }
        return (trim(ref), trim(hyp), trim(eval))
    }
}
