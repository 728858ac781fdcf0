// TranscriptPairing: matches reference and hypothesis utterances, by id when both files carry ids, else by
// position; ids present on one side only are listed, not silently dropped.

/// A reference/hypothesis pair to score.
public struct TranscriptPair: Equatable, Sendable {
    public var id: String
    public var reference: String
    public var hypothesis: String
    public init(id: String, reference: String, hypothesis: String) {
        self.id = id; self.reference = reference; self.hypothesis = hypothesis
    }
}

/// The result of pairing two transcript files.
public struct TranscriptPairing: Sendable {
    /// Pairs in reference order.
    public var pairs: [TranscriptPair]
    /// Reference ids with no hypothesis (not scored).
    public var missingInHypothesis: [String]
    /// Hypothesis ids with no reference (not scored).
    public var missingInReference: [String]

    /// Pairs by id when both files are keyed (Kaldi or JSON Lines), otherwise by position (a manifest with
    /// a plain-text hypothesis file pairs line by line).
    /// - Throws: `EvaluationError.lineCountMismatch` when position pairing sees different counts;
    ///   `EvaluationError.noCommonIDs` when keyed files share no id (nothing can be scored).
    public init(reference: Transcript, hypothesis: Transcript) throws {
        if reference.isKeyed && hypothesis.isKeyed {
            var hyp: [String: String] = [:]
            hyp.reserveCapacity(hypothesis.entries.count)
            for e in hypothesis.entries { hyp[e.id] = e.text }
            var refIDs = Set<String>()
            refIDs.reserveCapacity(reference.entries.count)
            pairs = []
            missingInHypothesis = []
            for e in reference.entries {
                refIDs.insert(e.id)
                if let h = hyp[e.id] {
                    pairs.append(TranscriptPair(id: e.id, reference: e.text, hypothesis: h))
                } else {
                    missingInHypothesis.append(e.id)
                }
            }
            missingInReference = hypothesis.entries.map(\.id).filter { !refIDs.contains($0) }
            if pairs.isEmpty {
                throw EvaluationError.noCommonIDs(referencePath: reference.path, hypothesisPath: hypothesis.path,
                                                  referenceExample: reference.entries[0].id,
                                                  hypothesisExample: hypothesis.entries[0].id)
            }
        } else {
            guard reference.entries.count == hypothesis.entries.count else {
                throw EvaluationError.lineCountMismatch(referencePath: reference.path,
                                                        referenceLines: reference.entries.count,
                                                        hypothesisPath: hypothesis.path,
                                                        hypothesisLines: hypothesis.entries.count)
            }
            let keyed = reference.isKeyed ? reference : hypothesis
            pairs = zip(reference.entries, hypothesis.entries).enumerated().map { k, p in
                TranscriptPair(id: keyed.entries[k].id, reference: p.0.text, hypothesis: p.1.text)
            }
            missingInHypothesis = []
            missingInReference = []
        }
    }
}
