// GoldenFiles: loads the jiwer goldens in Goldens/ (random pairs and the shared wer_cases) for the tests.
import Foundation
import XCTest

/// One golden pair with jiwer's word and character counts.
struct GoldenPair {
    var id: String
    var reference: String
    var hypothesis: String
    var words: [Int]       // hits, substitutions, deletions, insertions
    var characters: [Int]
}

enum GoldenFiles {
    static func url(_ name: String) throws -> URL {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Goldens", withExtension: nil), "Goldens not bundled")
        return dir.appendingPathComponent(name)
    }

    /// `jiwer_random_pairs.tsv`: id, ref, hyp, then 4 word and 4 character counts; `#` lines are comments.
    static func randomPairs() throws -> [GoldenPair] {
        let text = try String(contentsOf: url("jiwer_random_pairs.tsv"), encoding: .utf8)
        return try text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(f.count, 11, "bad golden line \(line)")
            let n = try f[3...].map { try XCTUnwrap(Int($0)) }
            return GoldenPair(id: f[0], reference: f[1], hypothesis: f[2], words: Array(n[0..<4]), characters: Array(n[4..<8]))
        }
    }

    /// `wer_cases.tsv` with the per-utterance answers of `wer_cases.expected.json`, and the corpus answers.
    static func werCases() throws -> (pairs: [GoldenPair], corpusWords: [Int], corpusCharacters: [Int]) {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url("wer_cases.expected.json"))) as! [String: Any]
        let perUtt = json["per_utt"] as! [String: [String: [String: Any]]]
        func counts(_ d: [String: Any]) -> [Int] {
            ["hits", "substitutions", "deletions", "insertions"].map { d[$0] as! Int }
        }
        let tsv = try String(contentsOf: url("wer_cases.tsv"), encoding: .utf8)
        let pairs = tsv.split(separator: "\n").map { line -> GoldenPair in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let expected = perUtt[f[0]]!
            return GoldenPair(id: f[0], reference: f[1], hypothesis: f.count > 2 ? f[2] : "",
                              words: counts(expected["words"]!), characters: counts(expected["chars"]!))
        }
        let corpus = json["corpus"] as! [String: [String: Any]]
        return (pairs, counts(corpus["words"]!), counts(corpus["chars"]!))
    }
}

