// Tokenization: how jiwer 4's default transforms cut a transcript into words (wer_default) and
// characters (cer_default). Normalization (TextNormalizer) happens before this, if at all.

/// jiwer's default word and character splitting, reproduced exactly.
public enum Tokenization {
    /// Python's `str.isspace` (Unicode whitespace plus the ASCII separators U+001C...U+001F).
    @inline(__always)
    static func isPythonSpace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x20, 0x09...0x0D, 0x1C...0x1F: return true
        case 0..<0x80: return false
        default: return s.properties.isWhitespace
        }
    }

    /// jiwer `wer_default`: runs of two or more whitespace characters become one space, the ends are stripped,
    /// and the text is split on the space character. (A single tab between two words therefore stays inside
    /// one "word", as in jiwer.)
    public static func words(_ text: String) -> [Substring] {
        var result: [Substring] = []
        let scalars = text.unicodeScalars
        var wordStart: String.Index? = nil
        var i = scalars.startIndex
        while i < scalars.endIndex {
            let s = scalars[i]
            guard isPythonSpace(s) else {
                if wordStart == nil { wordStart = i }
                i = scalars.index(after: i)
                continue
            }
            var runEnd = scalars.index(after: i)
            while runEnd < scalars.endIndex && isPythonSpace(scalars[runEnd]) { runEnd = scalars.index(after: runEnd) }
            let single = scalars.index(after: i) == runEnd
            let atEdge = wordStart == nil || runEnd == scalars.endIndex
            if single && s != " " && !atEdge {
                i = runEnd          // a lone tab (or similar) inside a word: part of the word
                continue
            }
            if let start = wordStart { result.append(Substring(text.unicodeScalars[start..<i])) }
            wordStart = nil
            i = runEnd
        }
        if let start = wordStart { result.append(Substring(text.unicodeScalars[start..<scalars.endIndex])) }
        return result
    }

    /// jiwer `cer_default`: strip both ends, then every Unicode scalar (Python character) is a token,
    /// spaces included. Token ids are the scalar values, so no interning is needed.
    public static func characters(_ text: String, into out: inout [Int32]) {
        out.removeAll(keepingCapacity: true)
        for s in text.unicodeScalars { out.append(Int32(bitPattern: s.value)) }
        var end = out.count
        while end > 0 && isPythonSpace(Unicode.Scalar(UInt32(out[end - 1]))!) { end -= 1 }
        var start = 0
        while start < end && isPythonSpace(Unicode.Scalar(UInt32(out[start]))!) { start += 1 }
        if end < out.count { out.removeLast(out.count - end) }
        if start > 0 { out.removeFirst(start) }
    }
}

/// Maps words to dense `Int32` ids so alignment compares integers, and back for display.
public struct TokenInterner {
    /// Keys compare by Unicode scalars, not by Swift's canonical equivalence, so that "é" precomposed and
    /// decomposed stay two words, as they are in Python.
    private struct Key: Hashable {
        let text: Substring
        static func == (a: Key, b: Key) -> Bool { a.text.utf8.elementsEqual(b.text.utf8) }
        func hash(into h: inout Hasher) {
            let done: Void? = text.utf8.withContiguousStorageIfAvailable { h.combine(bytes: UnsafeRawBufferPointer($0)) }
            if done == nil { for b in text.utf8 { h.combine(b) } }
        }
    }
    private var ids: [Key: Int32] = [:]
    /// The words by id.
    public private(set) var words: [String] = []

    public init() {}

    /// The id of `word`, assigning the next id to a new word.
    public mutating func id(_ word: Substring) -> Int32 {
        if let id = ids[Key(text: word)] { return id }
        let id = Int32(words.count)
        ids[Key(text: word)] = id
        words.append(String(word))
        return id
    }

    /// Ids of jiwer's words of `text`, written into `out`.
    public mutating func wordIDs(_ text: String, into out: inout [Int32]) {
        out.removeAll(keepingCapacity: true)
        for w in Tokenization.words(text) { out.append(id(w)) }
    }
}
