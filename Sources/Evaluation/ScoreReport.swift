// ScoreReport: corpus WER/CER, confidence interval, worst alignments and confusion pairs, and its two renderings:
// a human-readable text report and JSON Lines whose last line is a one-line summary.

/// A substitution seen `count` times: `reference` was recognized as `hypothesis`.
public struct ConfusionPair: Sendable, Equatable {
    public var reference: String
    public var hypothesis: String
    public var count: Int
    public init(reference: String, hypothesis: String, count: Int) {
        self.reference = reference; self.hypothesis = hypothesis; self.count = count
    }
}

/// The result of scoring a corpus (see `ScoreAccumulator`). Rates are fractions, not percent.
public struct ScoreReport: Sendable {
    public var utterances: Int
    public var words: ErrorCounts
    public var characters: ErrorCounts
    /// 95% percentile-bootstrap interval of the corpus WER, `nil` if not computed or undefined.
    public var werInterval95: (lower: Double, upper: Double)?
    public var worst: [AlignedUtterance]
    public var confusions: [ConfusionPair]
    public var normalized: Bool
    /// Compute time / audio time, for `scribe eval`; `nil` (and absent from JSON) for `scribe score`.
    public var realTimeFactor: Double?
    /// Ids only in the reference / only in the hypothesis (not scored); set by whoever paired the files.
    public var missingInHypothesis: [String] = []
    public var missingInReference: [String] = []

    /// Corpus WER; `nil` when the references have no words but the hypotheses do.
    public var wer: Double? { words.rate }
    /// Corpus CER (characters including spaces).
    public var cer: Double? { characters.rate }

    // MARK: - Text

    /// The human-readable report.
    public func text() -> String {
        var out = ""
        func pct(_ r: Double?) -> String { r.map { String(format2: $0 * 100) + "%" } ?? "undefined" }
        out += "Scored \(utterances) utterances (\(normalized ? "normalized" : "raw") text)\n"
        if !missingInHypothesis.isEmpty {
            out += "Not scored: \(missingInHypothesis.count) reference ids have no hypothesis: "
                + Self.sample(missingInHypothesis) + "\n"
        }
        if !missingInReference.isEmpty {
            out += "Not scored: \(missingInReference.count) hypothesis ids have no reference: "
                + Self.sample(missingInReference) + "\n"
        }
        out += "\n"
        for (name, c, rate) in [("WER", words, wer), ("CER", characters, cer)] {
            out += "\(name) \(pct(rate))  [ref \(c.referenceLength), hits \(c.hits), sub \(c.substitutions), "
                + "del \(c.deletions), ins \(c.insertions)]\n"
        }
        if let ci = werInterval95 { out += "WER 95% CI (bootstrap) \(pct(ci.lower)) - \(pct(ci.upper))\n" }
        if let rtf = realTimeFactor { out += "RTF \(String(format2: rtf))\n" }
        if !worst.isEmpty {
            out += "\nWorst utterances\n"
            for u in worst {
                out += "\nid: \(u.id)  S=\(u.counts.substitutions) D=\(u.counts.deletions) I=\(u.counts.insertions)"
                    + "  WER \(pct(u.counts.rate))\n"
                let lines = u.scliteLines
                out += lines.reference + "\n" + lines.hypothesis + "\n" + lines.eval + "\n"
            }
        }
        if !confusions.isEmpty {
            out += "\nMost frequent substitutions (reference -> hypothesis)\n"
            for c in confusions { out += "  \(c.count)\t\(c.reference) -> \(c.hypothesis)\n" }
        }
        return out
    }

    static func sample(_ ids: [String]) -> String {
        ids.prefix(10).joined(separator: ", ") + (ids.count > 10 ? ", ..." : "")
    }

    // MARK: - JSON

    /// JSON Lines: one `{"type":"utterance",...}` line per worst utterance, one `{"type":"confusion",...}` line per
    /// confusion pair, then the one-line summary (always the last line).
    public func jsonLines() -> String {
        var lines: [String] = []
        for u in worst {
            let s = u.scliteLines
            var o = JSONLine()
            o.add("type", "utterance"); o.add("id", u.id)
            o.addCounts(u.counts, prefix: "")
            o.add("wer", u.counts.rate)
            o.add("ref", s.reference); o.add("hyp", s.hypothesis); o.add("eval", s.eval)
            lines.append(o.text)
        }
        for c in confusions {
            var o = JSONLine()
            o.add("type", "confusion"); o.add("ref", c.reference); o.add("hyp", c.hypothesis); o.add("count", c.count)
            lines.append(o.text)
        }
        lines.append(summaryJSON())
        return lines.joined(separator: "\n") + "\n"
    }

    /// The one-line summary: utterances, ref_words, wer, cer, hits, substitutions, deletions, insertions,
    /// wer_ci95 ([lower, upper] or null), the character counts, and `rtf` only when timing was recorded.
    public func summaryJSON() -> String {
        var o = JSONLine()
        o.add("type", "summary")
        o.add("utterances", utterances)
        o.add("ref_words", words.referenceLength)
        o.add("hyp_words", words.hypothesisLength)
        o.add("wer", wer)
        o.add("cer", cer)
        o.addCounts(words, prefix: "")
        o.add("wer_ci95", werInterval95.map { [$0.lower, $0.upper] })
        o.add("ref_chars", characters.referenceLength)
        o.addCounts(characters, prefix: "char_")
        o.add("normalized", normalized)
        o.add("missing_in_hyp", missingInHypothesis.count)
        o.add("missing_in_ref", missingInReference.count)
        if let rtf = realTimeFactor { o.add("rtf", rtf) }
        return o.text
    }
}

/// A minimal writer of one-line JSON objects with keys in insertion order.
struct JSONLine {
    private var fields: [String] = []
    var text: String { "{" + fields.joined(separator: ",") + "}" }

    mutating func add(_ key: String, _ value: String) { fields.append(Self.quote(key) + ":" + Self.quote(value)) }
    mutating func add(_ key: String, _ value: Int) { fields.append(Self.quote(key) + ":" + String(value)) }
    mutating func add(_ key: String, _ value: Bool) { fields.append(Self.quote(key) + ":" + (value ? "true" : "false")) }
    mutating func add(_ key: String, _ value: Double?) { fields.append(Self.quote(key) + ":" + Self.number(value)) }
    mutating func add(_ key: String, _ value: [Double]?) {
        fields.append(Self.quote(key) + ":" + (value.map { "[" + $0.map { Self.number($0) }.joined(separator: ",") + "]" } ?? "null"))
    }
    mutating func addCounts(_ c: ErrorCounts, prefix: String) {
        add(prefix + "hits", c.hits); add(prefix + "substitutions", c.substitutions)
        add(prefix + "deletions", c.deletions); add(prefix + "insertions", c.insertions)
    }

    /// Shortest round-trip decimal (same digits as Python's repr); null for nil or non-finite values.
    static func number(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "null" }
        return "\(v)"
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}

extension String {
    /// Two decimals, for the text report.
    init(format2 v: Double) {
        let scaled = (v * 100).rounded()
        let whole = Int64(scaled) / 100, frac = abs(Int64(scaled) % 100)
        self = (scaled < 0 && whole == 0 ? "-" : "") + "\(whole)." + (frac < 10 ? "0" : "") + "\(frac)"
    }
}
