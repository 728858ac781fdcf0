// NumberWords: English words for digit strings ("42" -> "forty two", "21st" -> "twenty first"), used by
// TextNormalizer. Cardinals up to 18 digits; longer strings and ones with a leading zero are read digit by digit.

/// Spells numbers as lowercase English words.
public enum NumberWords {
    static let ones = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                       "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
                       "nineteen"]
    static let tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    static let scales = ["", "thousand", "million", "billion", "trillion", "quadrillion", "quintillion"]

    /// Words for a string of ASCII digits: "42" -> ["forty", "two"], "007" -> ["zero", "zero", "seven"],
    /// "1000000" -> ["one", "million"].
    public static func cardinal(digits: Substring) -> [String] {
        precondition(!digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }, "digits expected")
        if digits.count > 18 || (digits.count > 1 && digits.first == "0") { return digitByDigit(digits) }
        return cardinal(UInt64(digits)!)
    }

    /// Each digit as a word: "314" -> ["three", "one", "four"].
    public static func digitByDigit(_ digits: Substring) -> [String] {
        digits.map { ones[Int($0.asciiValue! - 48)] }
    }

    /// Words for `n`: 0 -> ["zero"], 1205 -> ["one", "thousand", "two", "hundred", "five"].
    public static func cardinal(_ n: UInt64) -> [String] {
        if n == 0 { return ["zero"] }
        var groups: [Int] = []
        var rest = n
        while rest > 0 { groups.append(Int(rest % 1000)); rest /= 1000 }
        var words: [String] = []
        for (scale, group) in groups.enumerated().reversed() where group > 0 {
            words += belowThousand(group)
            if scale > 0 { words.append(scales[scale]) }
        }
        return words
    }

    /// Ordinal words: 1 -> ["first"], 22 -> ["twenty", "second"], 100 -> ["one", "hundredth"].
    public static func ordinal(_ n: UInt64) -> [String] {
        var words = cardinal(n)
        let last = words.removeLast()
        let irregular = ["one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
                         "nine": "ninth", "twelve": "twelfth"]
        if let word = irregular[last] {
            words.append(word)
        } else if last.hasSuffix("y") {
            words.append(String(last.dropLast()) + "ieth")
        } else {
            words.append(last + "th")
        }
        return words
    }

    private static func belowThousand(_ n: Int) -> [String] {
        var words: [String] = []
        if n >= 100 { words += [ones[n / 100], "hundred"] }
        let r = n % 100
        if r >= 20 {
            words.append(tens[r / 10])
            if r % 10 > 0 { words.append(ones[r % 10]) }
        } else if r > 0 {
            words.append(ones[r])
        }
        return words
    }
}
