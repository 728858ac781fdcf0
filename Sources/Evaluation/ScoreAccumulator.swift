// ScoreAccumulator: collects per-utterance word and character results (normalize -> tokenize -> align) and
// produces a ScoreReport. Used by `scribe score` on transcript files and meant for `scribe eval` on decoder output.

/// Options of a scoring run. Defaults match `scribe score`.
public struct ScoreOptions: Sendable {
    /// Apply `TextNormalizer` before scoring; when false only whitespace is split, exactly like jiwer.
    public var normalize = true
    /// How many of the worst utterances get an alignment in the report.
    public var worstCount = 10
    /// How many of the most frequent substitution pairs the report lists.
    public var confusionCount = 10
    /// Bootstrap resamples for the WER confidence interval (0 disables it).
    public var bootstrapReplicates = 1000
    /// Seed of the bootstrap; the same seed gives the same interval.
    public var seed: UInt64 = 0
    public init() {}
}

/// The scores of one utterance.
public struct UtteranceScore: Sendable, Equatable {
    public var id: String
    /// Word counts (jiwer `process_words` on the scored text).
    public var words: ErrorCounts
    /// Character counts, spaces included (jiwer `process_characters`).
    public var characters: ErrorCounts
}

/// Accumulates utterance results; call `add` per utterance, then `report()`.
///
/// Empty references: see `ErrorCounts`. An utterance with an empty reference and a non-empty hypothesis adds
/// its insertions to the corpus totals; its own rate is `nil`.
public struct ScoreAccumulator {
    public let options: ScoreOptions
    public private(set) var utterances: [UtteranceScore] = []
    /// The scored (normalized, unless `normalize` is off) texts, kept to render the worst alignments.
    private var texts: [(reference: String, hypothesis: String)] = []
    private var audioSeconds = 0.0, computeSeconds = 0.0
    private let normalizer = TextNormalizer()
    private var interner = TokenInterner()
    private var aligner = EditAligner()
    private var refIDs: [Int32] = [], hypIDs: [Int32] = []
    /// Substitution counts keyed by (reference word id << 32 | hypothesis word id).
    private var confusions: [Int64: Int] = [:]

    public init(options: ScoreOptions = ScoreOptions()) { self.options = options }

    /// Scores one utterance and records it. Returns its scores.
    @discardableResult
    public mutating func add(id: String, reference: String, hypothesis: String) -> UtteranceScore {
        let ref = options.normalize ? normalizer.normalize(reference) : reference
        let hyp = options.normalize ? normalizer.normalize(hypothesis) : hypothesis
        interner.wordIDs(ref, into: &refIDs)
        interner.wordIDs(hyp, into: &hypIDs)
        let words = aligner.count(reference: refIDs, hypothesis: hypIDs)
        if words.substitutions > 0 {
            var i = 0, j = 0
            for op in aligner.operations {
                switch op {
                case .match: i += 1; j += 1
                case .substitution:
                    confusions[Int64(refIDs[i]) << 32 | Int64(hypIDs[j]), default: 0] += 1
                    i += 1; j += 1
                case .deletion: i += 1
                case .insertion: j += 1
                }
            }
        }
        Tokenization.characters(ref, into: &refIDs)
        Tokenization.characters(hyp, into: &hypIDs)
        let chars = aligner.count(reference: refIDs, hypothesis: hypIDs)
        let score = UtteranceScore(id: id, words: words, characters: chars)
        utterances.append(score)
        texts.append((ref, hyp))
        return score
    }

    /// Adds decoding time for the real-time factor (`scribe eval`); the report has an `rtf` only if audio was added.
    public mutating func addTiming(audioSeconds: Double, computeSeconds: Double) {
        self.audioSeconds += audioSeconds
        self.computeSeconds += computeSeconds
    }

    /// The report over everything added so far.
    public func report() -> ScoreReport {
        var words = ErrorCounts(), chars = ErrorCounts()
        for u in utterances { words += u.words; chars += u.characters }
        let interval = options.bootstrapReplicates > 0
            ? BootstrapInterval.rate(errors: utterances.map { Int32(clamping: $0.words.errors) },
                                     referenceLengths: utterances.map { Int32(clamping: $0.words.referenceLength) },
                                     replicates: options.bootstrapReplicates, seed: options.seed)
            : nil
        let topConfusions = confusions.map { (key, count) in
            ConfusionPair(reference: interner.words[Int(key >> 32)], hypothesis: interner.words[Int(key & 0xFFFF_FFFF)],
                          count: count)
        }.sorted { ($1.count, $0.reference, $0.hypothesis) < ($0.count, $1.reference, $1.hypothesis) }
        return ScoreReport(utterances: utterances.count, words: words, characters: chars,
                           werInterval95: interval, worst: worstAlignments(),
                           confusions: Array(topConfusions.prefix(options.confusionCount)),
                           normalized: options.normalize,
                           realTimeFactor: audioSeconds > 0 ? computeSeconds / audioSeconds : nil)
    }

    /// The utterances with the most word errors (ties: higher rate, then input order), aligned.
    private func worstAlignments() -> [AlignedUtterance] {
        guard options.worstCount > 0 else { return [] }
        let order = utterances.indices.filter { utterances[$0].words.errors > 0 }.sorted { a, b in
            let x = utterances[a].words, y = utterances[b].words
            if x.errors != y.errors { return x.errors > y.errors }
            let rx = x.rate ?? .infinity, ry = y.rate ?? .infinity
            return rx != ry ? rx > ry : a < b
        }
        var interner = TokenInterner(), aligner = EditAligner()
        var r: [Int32] = [], h: [Int32] = []
        return order.prefix(options.worstCount).map { k in
            let (ref, hyp) = texts[k]
            interner.wordIDs(ref, into: &r)
            interner.wordIDs(hyp, into: &h)
            aligner.align(reference: r, hypothesis: h)
            return AlignedUtterance(id: utterances[k].id, reference: Tokenization.words(ref).map(String.init),
                                    hypothesis: Tokenization.words(hyp).map(String.init),
                                    operations: aligner.operations)
        }
    }
}
