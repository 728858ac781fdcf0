// A word n-gram language model in the ARPA backoff format, the format KenLM and SRILM write and Kaldi and Vosk
// read: log P(w | h) is the listed value of the n-gram h w, or else backoff(h) + log P(w | h′) with h′ = h minus
// its oldest word, down to the unigrams; a word that is not listed is `<unk>`. Scribe estimates one with
// `KneserNeyEstimator` (`scribe lm --unit word`) and fuses it into beam search through `LexiconWordLM`.
import Foundation

public struct WordLM: Sendable {
    /// n of the longest n-grams.
    public let order: Int
    /// Word of each id. Ids 0, 1, 2 are `<unk>`, `<s>` and `</s>`.
    public let words: [String]
    private let index: [String: Int]
    /// Bits per word id in an n-gram key (n × bits ≤ 64).
    private let bits: Int
    /// tables[n − 1][key of the n ids] = (ln P, ln backoff) of a listed n-gram.
    private let tables: [[UInt64: Entry]]

    struct Entry { var logProb: Float; var backoff: Float }

    public static let unknown = 0, sentenceStart = 1, sentenceEnd = 2
    static let reserved = ["<unk>", "<s>", "</s>"]
    /// ARPA writes log10; a probability of zero (`<s>`) is written as −99.
    static let ln10 = Float(M_LN10)

    /// Builds a model from listed n-grams: `ngrams[n − 1]` maps n word ids to (ln P, ln backoff).
    init(order: Int, words: [String], ngrams: [[[Int]: (Float, Float)]], path: String = "-") throws {
        func fail(_ reason: String) -> ModelError { .languageModel(path: path, reason: reason) }
        guard order >= 1, ngrams.count == order else { throw fail("order \(order) does not match \(ngrams.count) n-gram tables") }
        let bits = max(1, Int.bitWidth - (words.count - 1).leadingZeroBitCount)
        guard bits * order <= 64 else { throw fail("\(words.count) words × order \(order) do not fit the 64-bit n-gram keys (at most order \(64 / bits))") }
        let tables = try ngrams.enumerated().map { n, table in
            var t = [UInt64: Entry](minimumCapacity: table.count)
            for (ids, e) in table {
                guard ids.count == n + 1 else { throw fail("a \(n + 1)-gram entry holds \(ids.count) words") }
                t[Self.key(ids[...], bits: bits)] = Entry(logProb: e.0, backoff: e.1)
            }
            return t
        }
        self.init(order: order, words: words, bits: bits, tables: tables)
    }

    static func key(_ ids: ArraySlice<Int>, bits: Int) -> UInt64 {
        ids.reduce(UInt64(0)) { ($0 << UInt64(bits)) | UInt64($1) }
    }

    /// Vocabulary size (including `<unk>`, `<s>`, `</s>`).
    public var vocabularySize: Int { words.count }

    /// Listed n-grams of each order 1...order.
    public var ngramCounts: [Int] { tables.map(\.count) }

    /// The id of `word`, or `unknown`.
    public func id(_ word: String) -> Int { index[word] ?? Self.unknown }

    /// True when `word` is a listed unigram (not `<unk>`).
    public func contains(_ word: String) -> Bool { index[word].map { $0 != Self.unknown } ?? false }

    /// ln P(word | context), context = the preceding word ids, oldest first (only the last order − 1 count; start
    /// a sentence's context with `sentenceStart`).
    public func logProb(_ word: Int, context: ArraySlice<Int>) -> Float {
        var ctx = context.suffix(order - 1)
        var backoff: Float = 0
        while true {
            let history = Self.key(ctx, bits: bits)
            if let e = tables[ctx.count][(history << UInt64(bits)) | UInt64(word)] { return backoff + e.logProb }
            if ctx.isEmpty {
                // Not even a unigram: `<unk>`'s probability (−∞ when the model lists none).
                return word == Self.unknown ? -.infinity : backoff + logProb(Self.unknown, context: [])
            }
            if let h = tables[ctx.count - 1][history] { backoff += h.backoff }
            ctx = ctx.dropFirst()
        }
    }

    /// ln P of a whole sentence: each word after `<s>` and the words before it, then `</s>`.
    public func sentenceLogProb(_ sentence: [String]) -> Float {
        var ids = [Self.sentenceStart]
        var total: Float = 0
        for w in sentence.map(id) + [Self.sentenceEnd] {
            total += logProb(w, context: ids[...])
            ids.append(w)
        }
        return total
    }

    /// Per-word perplexity of `sentences` (`</s>` counted as a word) and the fraction of their words that are not
    /// in the vocabulary.
    public func perplexity(_ sentences: [[String]]) -> (perplexity: Double, oovRate: Double) {
        var logSum = 0.0, n = 0, oov = 0
        for s in sentences {
            logSum += Double(sentenceLogProb(s))
            n += s.count + 1
            oov += s.filter { !contains($0) }.count
        }
        return n == 0 ? (.nan, .nan) : (Foundation.exp(-logSum / Double(n)), Double(oov) / Double(max(n - sentences.count, 1)))
    }

    // MARK: ARPA

    /// The model as ARPA text (log10 values; n-grams sorted by their word ids).
    public func arpa() -> String {
        var out = "\\data\\\n"
        for n in 1...order { out += "ngram \(n)=\(tables[n - 1].count)\n" }
        func log10(_ x: Float) -> String { x == -.infinity ? "-99" : String(format: "%.6f", x / Self.ln10) }
        let mask = (UInt64(1) << UInt64(bits)) - 1
        for n in 1...order {
            out += "\n\\\(n)-grams:\n"
            for (key, e) in tables[n - 1].sorted(by: { $0.key < $1.key }) {
                let ids = (0..<n).reversed().map { Int((key >> UInt64($0 * bits)) & mask) }
                out += log10(e.logProb) + "\t" + ids.map { words[$0] }.joined(separator: " ")
                if n < order, e.backoff != 0 { out += "\t" + log10(e.backoff) }
                out += "\n"
            }
        }
        return out + "\n\\end\\\n"
    }

    /// Writes the ARPA text atomically (temp file + rename).
    public func save(to path: String) throws {
        try ModelDirectory.atomicWrite(Data(arpa().utf8), to: path)
    }

    /// True when `data` starts like an ARPA file (blank lines, then `\data\`).
    public static func looksLikeARPA(_ data: Data) -> Bool {
        String(decoding: data.prefix(256), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("\\data\\")
    }

    /// Reads an ARPA file (from `save`, KenLM or SRILM), checking the declared counts, every number and every
    /// word; errors name the line.
    public static func load(_ path: String) throws -> WordLM {
        guard let data = FileManager.default.contents(atPath: path) else { throw ModelError.io(path: path, reason: "cannot read the language model (missing or unreadable)") }
        return try parse([UInt8](data), path: path)
    }

    /// Parses ARPA text; `path` names it in errors.
    public static func parse(_ text: String, path: String) throws -> WordLM { try parse(Array(text.utf8), path: path) }

    /// The ARPA parser works on bytes: a 6 MB model loads in a fraction of a second.
    static func parse(_ bytes: [UInt8], path: String) throws -> WordLM {
        func fail(_ line: Int, _ reason: String) -> ModelError { .languageModel(path: path, reason: "line \(line): \(reason)") }
        let bytes = bytes + [0]                                          // strtof stops at the terminator
        var declared = [Int: Int]()
        var section = 0          // 0: before \data\; -1: the \data\ header; n: inside \n-grams:; -2: after \end\
        var words = reserved, ids = [String: Int]()
        for (i, w) in reserved.enumerated() { ids[w] = i }
        var tables = [[UInt64: Entry]](), listed = [Int](), bits = 0
        var lineNumber = 0, at = 0
        func isBlank(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 13 }
        while at < bytes.count - 1 {
            lineNumber += 1
            var end = at
            while end < bytes.count - 1 && bytes[end] != 10 { end += 1 }
            var lo = at, hi = end
            at = end + 1
            while lo < hi && isBlank(bytes[lo]) { lo += 1 }
            while hi > lo && isBlank(bytes[hi - 1]) { hi -= 1 }
            if lo == hi { continue }
            let line = bytes[lo..<hi]
            func text() -> String { String(decoding: line, as: UTF8.self) }
            if line.first == 92 {                                        // a backslash: a section header
                let header = text()
                if header == "\\data\\" {
                    guard section == 0 else { throw fail(lineNumber, "a second \\data\\ header") }
                    section = -1; continue
                }
                if header == "\\end\\" { section = -2; break }
                if header.hasSuffix("-grams:"), let n = Int(header.dropFirst().dropLast(7)) {
                    guard n == tables.count + 1, declared[n] != nil else { throw fail(lineNumber, "unexpected section \(header) (sections must follow \\data\\'s ngram counts in order)") }
                    if n == 1 {
                        bits = max(1, Int.bitWidth - (declared[1]! + reserved.count - 1).leadingZeroBitCount)
                        let order = declared.keys.max()!
                        guard bits * order <= 64 else { throw fail(lineNumber, "\(declared[1]!) words × order \(order) do not fit the 64-bit n-gram keys") }
                    }
                    tables.append([UInt64: Entry](minimumCapacity: declared[n]!)); listed.append(0)
                    section = n; continue
                }
            }
            switch section {
            case 0:
                throw fail(lineNumber, "not an ARPA language model (expected \\data\\)")
            case -1:
                let l = text()
                let parts = l.split(separator: "=")
                guard parts.count == 2, parts[0].hasPrefix("ngram "), let n = Int(parts[0].dropFirst(6).trimmingCharacters(in: .whitespaces)),
                      let c = Int(parts[1].trimmingCharacters(in: .whitespaces)), n >= 1, c >= 0 else {
                    throw fail(lineNumber, "expected 'ngram N=COUNT', got '\(l)'")
                }
                declared[n] = c
            case let n where n > 0:
                // Fields: log10 P, n words, an optional log10 backoff.
                var fields = [Range<Int>]()
                var f = lo
                while f < hi {
                    while f < hi && isBlank(bytes[f]) { f += 1 }
                    let start = f
                    while f < hi && !isBlank(bytes[f]) { f += 1 }
                    if f > start { fields.append(start..<f) }
                }
                guard fields.count == n + 1 || fields.count == n + 2 else { throw fail(lineNumber, "a \(n)-gram line needs a log10 probability, \(n) words and an optional backoff, got '\(text())'") }
                func number(_ r: Range<Int>) -> Float? {
                    bytes.withUnsafeBufferPointer { buf -> Float? in
                        let base = UnsafeRawPointer(buf.baseAddress! + r.lowerBound).assumingMemoryBound(to: CChar.self)
                        var stop: UnsafeMutablePointer<CChar>?
                        let v = strtof(base, &stop)
                        guard let stop, UnsafeRawPointer(stop) == UnsafeRawPointer(buf.baseAddress! + r.upperBound) else { return nil }
                        return v
                    }
                }
                func field(_ r: Range<Int>) -> String { String(decoding: bytes[r], as: UTF8.self) }
                guard let p = number(fields[0]), p.isFinite, p <= 0 else { throw fail(lineNumber, "bad log10 probability '\(field(fields[0]))'") }
                var b: Float = 0
                if fields.count == n + 2 {
                    guard let v = number(fields[n + 1]), v.isFinite else { throw fail(lineNumber, "bad log10 backoff '\(field(fields[n + 1]))'") }
                    b = v
                }
                var key: UInt64 = 0
                for k in 1...n {
                    let word = field(fields[k])
                    var id = ids[word]
                    if id == nil && n == 1 {
                        guard words.count < declared[1]! + reserved.count else { throw fail(lineNumber, "more unigrams than \\data\\ declares") }
                        id = words.count; ids[word] = words.count; words.append(word)
                    }
                    guard let id else {
                        throw fail(lineNumber, "the \(n)-gram '\(text())' uses '\(word)', which is not a unigram")
                    }
                    key = (key << UInt64(bits)) | UInt64(id)
                }
                if n > 1, tables[n - 2][key >> UInt64(bits)] == nil {
                    throw fail(lineNumber, "the \(n)-gram '\(text())' has no listed history (\(n - 1)-gram)")
                }
                tables[n - 1][key] = Entry(logProb: p <= -99 ? -.infinity : p * ln10, backoff: b <= -99 ? -.infinity : b * ln10)
                listed[n - 1] += 1
            default:
                throw fail(lineNumber, "text after \\end\\")
            }
        }
        guard section == -2 else { throw fail(lineNumber, "missing \\end\\ (the file is truncated)") }
        let order = tables.count
        guard order >= 1 else { throw fail(lineNumber, "no n-gram sections") }
        for n in 1...order where declared[n] != listed[n - 1] {
            throw fail(lineNumber, "\\data\\ declares \(declared[n] ?? 0) \(n)-grams, the file lists \(listed[n - 1])")
        }
        if let extra = declared.keys.filter({ $0 > order }).min() { throw fail(lineNumber, "\\data\\ declares \(extra)-grams but the file has no such section") }
        return WordLM(order: order, words: words, bits: bits, tables: tables)
    }

    private init(order: Int, words: [String], bits: Int, tables: [[UInt64: Entry]]) {
        self.order = order
        self.words = words
        self.bits = bits
        self.tables = tables
        var index = [String: Int](minimumCapacity: words.count)
        for (i, w) in words.enumerated() { index[w] = i }
        self.index = index
    }
}
