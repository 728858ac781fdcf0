// TextNormalizerTests: the normalization rules (case, numbers, symbols, punctuation, apostrophes, whitespace)
// and the output alphabet.
import Evaluation
import XCTest

final class TextNormalizerTests: XCTestCase {
    let n = TextNormalizer()

    func testCasePunctuationAndWhitespace() {
        XCTAssertEqual(n.normalize("  Hello,   World!  "), "hello world")
        XCTAssertEqual(n.normalize("\"Quoted\" (text); done."), "quoted text done")
        XCTAssertEqual(n.normalize("well-known/path"), "well known path")
        XCTAssertEqual(n.normalize(""), "")
        XCTAssertEqual(n.normalize(" ?! "), "")
    }

    func testApostrophesKeptOnlyInsideWords() {
        XCTAssertEqual(n.normalize("Don't STOP"), "don't stop")
        XCTAssertEqual(n.normalize("it\u{2019}s"), "it's")
        XCTAssertEqual(n.normalize("'quoted' dogs'"), "quoted dogs")
        XCTAssertEqual(n.normalize("U.S.A. rocks"), "usa rocks")
    }

    func testNumbers() {
        XCTAssertEqual(n.normalize("42"), "forty two")
        XCTAssertEqual(n.normalize("0"), "zero")
        XCTAssertEqual(n.normalize("100 and 115"), "one hundred and one hundred fifteen")
        XCTAssertEqual(n.normalize("1,000,000 people"), "one million people")
        XCTAssertEqual(n.normalize("1205"), "one thousand two hundred five")
        XCTAssertEqual(n.normalize("3.14"), "three point one four")
        XCTAssertEqual(n.normalize("007"), "zero zero seven")
        XCTAssertEqual(n.normalize("the 21st and 2nd"), "the twenty first and second")
        XCTAssertEqual(n.normalize("-5 degrees"), "minus five degrees")
        XCTAssertEqual(n.normalize("mp3"), "mp three")
        XCTAssertEqual(n.normalize("end 3."), "end three")
    }

    func testSymbols() {
        XCTAssertEqual(n.normalize("50%"), "fifty percent")
        XCTAssertEqual(n.normalize("R&D"), "r and d")
        XCTAssertEqual(n.normalize("$5 or $1"), "five dollars or one dollar")
        XCTAssertEqual(n.normalize("2+2=4"), "two plus two equals four")
        XCTAssertEqual(n.normalize("me@home"), "me at home")
    }

    func testDiacriticsAndOutputAlphabet() {
        XCTAssertEqual(n.normalize("Café NAÏVE Straße"), "cafe naive strasse")
        XCTAssertEqual(n.normalize("cafe\u{301}"), "cafe")
        var rng = SplitMix64(seed: 3)
        let pool = Array("aZ09 ,.'’-%&$€@+=_!?\t\néßÆ中😀")
        for _ in 0..<500 {
            let s = String((0..<Int(rng.next() % 30)).map { _ in pool[Int(rng.next() % UInt64(pool.count))] })
            let out = n.normalize(s)
            XCTAssertTrue(out.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || $0 == "'" || $0 == " " }, "\(s) -> \(out)")
            XCTAssertFalse(out.hasPrefix(" ") || out.hasSuffix(" ") || out.contains("  "), "\(s) -> \(out)")
            XCTAssertEqual(n.normalize(out), out, "normalizing twice changes \(s)")
        }
    }
}
