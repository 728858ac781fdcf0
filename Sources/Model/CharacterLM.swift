// A character n-gram language model for shallow fusion in beam search (the external LM that Kaldi, Vosk and
// ESPnet decoders add to the acoustic score). Interpolated absolute discounting over the recognizer's own token
// ids (EOS, space, apostrophe, a–z; never padding): P(c | h) = max(C(hc) − D, 0) / C(h·) + D N₁₊(h·) / C(h·) ×
// P(c | h′), down to a uniform distribution, so the probabilities of the V − 1 tokens sum to one for every history.
// Trained from text by `scribe lm`; stored as `lm.bin` (a small binary file of n-gram counts) next to a model.
import Foundation

public struct CharacterLM: Sendable {
    /// n of the n-grams (the history is the last n − 1 tokens, starting with <sos>).
    public let order: Int
    /// V: the vocabulary size (token 0, padding, is never predicted).
    public let classes: Int
    /// Absolute discount D in (0, 1].
    public let discount: Float
    /// counts[n − 1][key of the n tokens] for n in 1...order.
    private let counts: [[UInt64: UInt32]]
    /// contexts[n − 1][key of the n − 1 history tokens] = (total count, distinct next tokens).
    private let contexts: [[UInt64: (total: UInt32, distinct: UInt32)]]

    static let magic = Array("SCRBCLM1".utf8)
    /// Tokens are packed 5 bits each into a UInt64 key, so order ≤ 12 and V ≤ 32.
    public static let maxOrder = 12

    /// Counts n-grams of `sentences` (token ids without <sos>/<eos>; each gets both).
    public init(sentences: [[Int]], order: Int, classes: Int, discount: Float = 0.7) throws {
        guard (1...Self.maxOrder).contains(order) else { throw ModelError.languageModel(path: "-", reason: "order must be in 1...\(Self.maxOrder), got \(order)") }
        guard classes >= 3 && classes <= 32 else { throw ModelError.languageModel(path: "-", reason: "vocabulary size must be in 3...32, got \(classes)") }
        guard discount > 0 && discount <= 1 else { throw ModelError.languageModel(path: "-", reason: "discount must be in (0, 1], got \(discount)") }
        var counts = [[UInt64: UInt32]](repeating: [:], count: order)
        for s in sentences {
            guard s.allSatisfy({ $0 > Vocabulary.eos && $0 < classes }) else {
                throw ModelError.languageModel(path: "-", reason: "a sentence holds a token outside 2..<\(classes)")
            }
            let seq = [Vocabulary.sos] + s + [Vocabulary.eos]
            for i in 1..<seq.count {
                for n in 1...order where i - (n - 1) >= 0 {
                    counts[n - 1][Self.key(seq[(i - n + 1)...i]), default: 0] += 1
                }
            }
        }
        self.init(order: order, classes: classes, discount: discount, counts: counts)
    }

    private init(order: Int, classes: Int, discount: Float, counts: [[UInt64: UInt32]]) {
        self.order = order
        self.classes = classes
        self.discount = discount
        self.counts = counts
        var contexts = [[UInt64: (total: UInt32, distinct: UInt32)]](repeating: [:], count: order)
        for n in 1...order {
            for (key, c) in counts[n - 1] {
                let h = key >> 5
                let old = contexts[n - 1][h] ?? (0, 0)
                contexts[n - 1][h] = (old.total + c, old.distinct + 1)
            }
        }
        self.contexts = contexts
    }

    static func key<C: Collection>(_ tokens: C) -> UInt64 where C.Element == Int {
        tokens.reduce(UInt64(0)) { ($0 << 5) | UInt64($1) }
    }

    /// Number of distinct n-grams of each order 1...order.
    public var ngramCounts: [Int] { counts.map(\.count) }

    /// log P(token | history), history = all tokens so far (without <sos>; it is prepended). token: EOS or a
    /// character id.
    public func logProb(_ token: Int, after history: [Int]) -> Float {
        precondition(token >= 1 && token < classes, "token \(token) is not predicted by the language model")
        let h = [Vocabulary.sos] + history.suffix(order - 1)
        return Foundation.log(prob(token, history: h[...]))
    }

    private func prob(_ token: Int, history: ArraySlice<Int>) -> Float {
        var p: Float = 1 / Float(classes - 1)
        // From the empty history up to the longest one, interpolating each level with the one below.
        for k in 0...min(history.count, order - 1) {
            let h = history.suffix(k)
            guard let ctx = contexts[k][Self.key(h)] else { break }
            let c = Float(counts[k][(Self.key(h) << 5) | UInt64(token)] ?? 0)
            let total = Float(ctx.total)
            p = max(c - discount, 0) / total + discount * Float(ctx.distinct) / total * p
        }
        return p
    }

    /// Per-token perplexity of `sentences` (EOS included), the usual way to compare orders and discounts.
    public func perplexity(_ sentences: [[Int]]) -> Double {
        var logSum = 0.0, n = 0
        for s in sentences {
            for (i, t) in (s + [Vocabulary.eos]).enumerated() {
                logSum += Double(logProb(t, after: Array(s.prefix(i))))
                n += 1
            }
        }
        return n == 0 ? .nan : Foundation.exp(-logSum / Double(n))
    }

    // MARK: file

    /// Writes the model atomically (temp file + rename).
    public func save(to path: String) throws {
        var data = Data(Self.magic)
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        put(UInt32(order)); put(UInt32(classes)); put(discount.bitPattern)
        for table in counts {
            put(UInt32(table.count))
            for (key, c) in table.sorted(by: { $0.key < $1.key }) { put(key); put(c) }
        }
        try ModelDirectory.atomicWrite(data, to: path)
    }

    /// Reads a file written by `save`, checking its header and every count.
    public static func load(_ path: String) throws -> CharacterLM {
        guard let data = FileManager.default.contents(atPath: path) else { throw ModelError.io(path: path, reason: "cannot read the language model (missing or unreadable)") }
        let bytes = [UInt8](data)
        var at = 0
        func fail(_ reason: String) -> ModelError { .languageModel(path: path, reason: reason) }
        func get<T: FixedWidthInteger>(_: T.Type) throws -> T {
            let size = MemoryLayout<T>.size
            guard at + size <= bytes.count else { throw fail("truncated at byte \(at) (file has \(bytes.count))") }
            var v: T = 0
            for i in 0..<size { v |= T(bytes[at + i]) << (8 * i) }
            at += size
            return v
        }
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else { throw fail("not a Scribe character language model (bad magic)") }
        at = magic.count
        let order = Int(try get(UInt32.self)), classes = Int(try get(UInt32.self))
        let discount = Float(bitPattern: try get(UInt32.self))
        guard (1...maxOrder).contains(order), (3...32).contains(classes), discount > 0, discount <= 1 else {
            throw fail("bad header: order \(order), vocabulary \(classes), discount \(discount)")
        }
        var counts = [[UInt64: UInt32]]()
        for n in 1...order {
            let m = Int(try get(UInt32.self))
            guard m <= (bytes.count - at) / 12 else { throw fail("truncated: order \(n) claims \(m) n-grams") }
            var table = [UInt64: UInt32](minimumCapacity: m)
            for _ in 0..<m {
                let key = try get(UInt64.self), c = try get(UInt32.self)
                guard c > 0, key >> (5 * UInt64(n)) == 0, Int(key & 31) >= 1, Int(key & 31) < classes else {
                    throw fail("bad \(n)-gram entry at byte \(at - 12)")
                }
                table[key] = c
            }
            counts.append(table)
        }
        guard at == bytes.count else { throw fail("\(bytes.count - at) trailing bytes") }
        return CharacterLM(order: order, classes: classes, discount: discount, counts: counts)
    }
}
