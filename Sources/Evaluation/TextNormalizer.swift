// TextNormalizer: the transcript normalization shared by scoring, training and the model: lowercase,
// numbers and common symbols spelled out, other punctuation dropped; output alphabet a-z, apostrophe, space.
import Foundation

/// Normalizes a transcript to lowercase words over the alphabet `a-z`, `'` and single spaces.
///
/// Rules, in order of precedence:
/// - Letters are lowercased and stripped of diacritics ("Café" -> "cafe"; "ß" -> "ss", "æ" -> "ae"). Letters
///   with no a-z equivalent (other scripts) are treated like punctuation.
/// - Digit runs become words: "42" -> "forty two", "1,000" -> "one thousand", "3.14" -> "three point one four",
///   "007" -> "zero zero seven", "21st" -> "twenty first", "-5" -> "minus five". Digits glued to letters are split
///   off ("mp3" -> "mp three").
/// - Symbols: "%" -> "percent", "&" -> "and", "+" -> "plus", "=" -> "equals", "@" -> "at"; "$", "€", "£" before a
///   number are read after it ("$5" -> "five dollars", "$1" -> "one dollar").
/// - An apostrophe (' ’ ‘ ʼ) between two letters is kept ("don't"); elsewhere it is dropped. A period between
///   two letters is dropped without a break ("u.s.a" -> "usa").
/// - All other punctuation and whitespace separate words; the result has single spaces and no spaces at the ends.
public struct TextNormalizer: Sendable {
    public init() {}

    static let symbolWords: [Unicode.Scalar: String] = ["%": "percent", "&": "and", "+": "plus", "=": "equals",
                                                        "@": "at"]
    static let currencies: [Unicode.Scalar: (one: String, many: String)] = [
        "$": ("dollar", "dollars"), "€": ("euro", "euros"), "£": ("pound", "pounds"),
    ]
    static let apostrophes: Set<Unicode.Scalar> = ["'", "\u{2019}", "\u{2018}", "\u{2BC}"]
    static let letterFolds: [Unicode.Scalar: String] = ["ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l",
                                                        "đ": "d", "þ": "th", "ð": "d", "ı": "i"]

    /// The normalized text (see the type's documentation for the rules).
    public func normalize(_ text: String) -> String {
        let s = Self.foldedScalars(text)
        var out = Output()
        var i = 0
        var pendingCurrency: (one: String, many: String)? = nil
        while i < s.count {
            let c = s[i]
            if Self.isLetter(c) {
                out.letter(c)
                i += 1
            } else if Self.isDigit(c) {
                let previousWasLetter = i > 0 && Self.isLetter(s[i - 1])
                if previousWasLetter { out.breakWord() }
                let (words, next, value) = Self.readNumber(s, from: i)
                out.words(words)
                if let currency = pendingCurrency { out.words([value == 1 ? currency.one : currency.many]) }
                pendingCurrency = nil
                out.breakWord()
                i = next
            } else if Self.apostrophes.contains(c) || c == "." {
                let inside = i > 0 && i + 1 < s.count && Self.isLetter(s[i - 1]) && Self.isLetter(s[i + 1])
                if inside && c != "." { out.letter("'") } else if !inside { out.breakWord() }
                i += 1
            } else if c == "-", i + 1 < s.count, Self.isDigit(s[i + 1]),
                      i == 0 || !(Self.isLetter(s[i - 1]) || Self.isDigit(s[i - 1])) {
                out.words(["minus"])
                i += 1
            } else if let currency = Self.currencies[c] {
                if i + 1 < s.count, Self.isDigit(s[i + 1]) { pendingCurrency = currency } else { out.words([currency.many]) }
                out.breakWord()
                i += 1
            } else if let word = Self.symbolWords[c] {
                out.words([word])
                i += 1
            } else {
                out.breakWord()
                i += 1
            }
        }
        return out.text
    }

    // MARK: - Pieces

    /// Output builder: words separated by exactly one space.
    private struct Output {
        var text = ""
        var needSpace = false
        mutating func letter(_ c: Unicode.Scalar) {
            if needSpace && !text.isEmpty { text.unicodeScalars.append(" ") }
            needSpace = false
            text.unicodeScalars.append(c)
        }
        mutating func breakWord() { needSpace = true }
        mutating func words(_ ws: [String]) {
            for w in ws {
                if !text.isEmpty { text.unicodeScalars.append(" ") }
                text += w
            }
            needSpace = true
        }
    }

    @inline(__always) static func isLetter(_ c: Unicode.Scalar) -> Bool { c.value >= 97 && c.value <= 122 }
    @inline(__always) static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 48 && c.value <= 57 }

    /// Lowercased, decomposed, combining marks removed, special letters folded to a-z.
    static func foldedScalars(_ text: String) -> [Unicode.Scalar] {
        let lower = text.lowercased()
        let ascii = lower.utf8.allSatisfy { $0 < 0x80 }
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(lower.utf8.count)
        let source = ascii ? lower : lower.decomposedStringWithCanonicalMapping
        for c in source.unicodeScalars {
            if c.value < 0x80 { result.append(c); continue }
            if c.properties.generalCategory == .nonspacingMark { continue }
            if let fold = letterFolds[c] { result.append(contentsOf: fold.unicodeScalars); continue }
            // Fullwidth digits and other decimal digits read as their ASCII value.
            if let d = c.properties.numericType, d == .decimal, let v = c.properties.numericValue {
                result.append(Unicode.Scalar(UInt8(48 + Int(v)))); continue
            }
            result.append(c)
        }
        return result
    }

    /// Reads a number at `start`: digits with optional ",ddd" groups, an optional ".d+" fraction or an ordinal
    /// suffix. Returns its words, the index after it and its integer value (for "one dollar").
    static func readNumber(_ s: [Unicode.Scalar], from start: Int) -> ([String], Int, UInt64?) {
        var i = start
        var digits = ""
        func run(_ j: Int) -> Int { var k = j; while k < s.count && isDigit(s[k]) { k += 1 }; return k }
        var end = run(i)
        digits.unicodeScalars.append(contentsOf: s[i..<end])
        i = end
        // Thousands groups: "1,000,000" (exactly three digits after each comma, and only after 1-3 digits).
        if digits.count <= 3 && digits.first != "0" {
            while i + 3 < s.count, s[i] == ",", run(i + 1) == i + 4 {
                digits.unicodeScalars.append(contentsOf: s[(i + 1)..<(i + 4)])
                i += 4
            }
        }
        var words = NumberWords.cardinal(digits: Substring(digits))
        let value = digits.count <= 18 ? UInt64(digits) : nil
        if i + 1 < s.count, s[i] == ".", isDigit(s[i + 1]) {
            end = run(i + 1)
            var fraction = ""
            fraction.unicodeScalars.append(contentsOf: s[(i + 1)..<end])
            words += ["point"] + NumberWords.digitByDigit(Substring(fraction))
            return (words, end, nil)
        }
        if i + 1 < s.count, let v = value, digits.first != "0" || digits.count == 1 {
            let suffix = String(String.UnicodeScalarView(s[i...(i + 1)]))
            let after = i + 2 < s.count ? s[i + 2] : " "
            if ["st", "nd", "rd", "th"].contains(suffix) && !isLetter(after) {
                return (NumberWords.ordinal(v), i + 2, nil)
            }
        }
        return (words, i, value)
    }
}
