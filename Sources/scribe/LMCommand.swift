// `scribe lm`: trains the n-gram language model that beam search fuses in (`--lm`, or lm.arpa / lm.bin in a model
// directory), from the transcripts of training manifests and/or plain text files (one sentence per line): a word
// n-gram with Kneser-Ney smoothing, written as ARPA text, or a character n-gram, written as Scribe's lm.bin.
import ArgumentParser
import Evaluation
import Foundation
import Model
import Training

struct LMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lm",
        abstract: "Train an n-gram language model (words or characters) for shallow fusion in beam search.",
        discussion: """
            Text goes through Scribe's normalizer and the model vocabulary. Train only on training text: a language \
            model that has seen the test sentences makes test WER meaningless.

            --unit word (the default) estimates an interpolated Kneser-Ney word n-gram and writes it in ARPA format, \
            the format KenLM and SRILM write (an ARPA file from them works with --lm too). The decoder spells its \
            words through the model's characters (a prefix tree with unigram look-ahead), so it steers the search \
            towards real words; a word it does not know costs ln P(<unk>) plus --oov-penalty. --unit char writes a \
            character n-gram with absolute discounting (lm.bin).

            Examples:
              scribe lm --text train.txt --valid dev.jsonl --min-count 2 --out lm.arpa
              scribe lm --unit char --manifest train.jsonl --order 7 --out lm.bin
            """)

    enum Unit: String, ExpressibleByArgument, CaseIterable { case word, char }

    @Option(help: "Training manifest(s) (JSON Lines); their transcripts are the training text.")
    var manifest: [String] = []
    @Option(help: "Plain text file(s), one sentence per line.")
    var text: [String] = []
    @Option(help: "Manifest whose transcripts measure perplexity (not trained on).")
    var valid: String?
    @Option(help: "What the n-grams count: word (Kneser-Ney, ARPA output) or char (absolute discounting, lm.bin).")
    var unit: Unit = .word
    @Option(help: "n-gram order (default: 3 for words; 7 for characters, at most \(CharacterLM.maxOrder)).")
    var order: Int?
    @Option(help: "Characters only: absolute discount D in (0, 1].")
    var discount: Float = 0.7
    @Option(help: "Words only: leave out n-grams (order ≥ 2) seen fewer times than this, to keep the file small (1 keeps all).")
    var minCount: Int = 1
    @Option(help: "Output file (written atomically).")
    var out: String

    func validate() throws {
        if manifest.isEmpty && text.isEmpty { throw ValidationError("give training text: --manifest M.jsonl and/or --text FILE") }
        let maxOrder = unit == .char ? CharacterLM.maxOrder : 6
        if let order, !(1...maxOrder).contains(order) { throw ValidationError("--order must be in 1...\(maxOrder) for --unit \(unit.rawValue), got \(order)") }
        if !(discount > 0 && discount <= 1) { throw ValidationError("--discount must be in (0, 1], got \(discount)") }
        if minCount < 1 { throw ValidationError("--min-count must be ≥ 1, got \(minCount)") }
    }

    /// The normalized sentences of the manifests' transcripts and the text files' lines.
    func lines(manifests: [String], texts: [String]) throws -> [String] {
        var out = [String]()
        for m in manifests {
            let (entries, _) = try Manifest.read(m)
            out += entries.map(\.text)
        }
        for path in texts {
            guard let data = FileManager.default.contents(atPath: path), let s = String(data: data, encoding: .utf8) else {
                throw ValidationError("\(path): cannot read it as UTF-8 text")
            }
            out += s.split(whereSeparator: \.isNewline).map(String.init)
        }
        return out
    }

    func sentences(manifests: [String], texts: [String]) throws -> [[Int]] {
        try lines(manifests: manifests, texts: texts).map { Vocabulary.characters.encode($0) }.filter { !$0.isEmpty }
    }

    func wordSentences(manifests: [String], texts: [String]) throws -> [[String]] {
        let normalizer = TextNormalizer()
        return try lines(manifests: manifests, texts: texts).map { normalizer.normalize($0).split(separator: " ").map(String.init) }.filter { !$0.isEmpty }
    }

    /// The error for inputs that hold no sentence, naming them.
    var noSentences: String {
        "no training sentences after normalization in \((text + manifest).joined(separator: ", ")) (empty files, or lines with no letters or digits)"
    }

    func run() throws {
        if unit == .word { return try runWords() }
        let order = self.order ?? 7
        let train = try sentences(manifests: manifest, texts: text)
        guard !train.isEmpty else { throw ValidationError(noSentences) }
        let lm = try CharacterLM(sentences: train, order: order, classes: Vocabulary.characters.count, discount: discount)
        try lm.save(to: out)
        let chars = train.reduce(0) { $0 + $1.count }
        print("wrote \(out): order \(order), discount \(discount), \(train.count) sentences, \(chars) characters, n-grams per order \(lm.ngramCounts)")
        if let valid {
            let held = try sentences(manifests: [valid], texts: [])
            print(String(format: "perplexity per character on %@: %.3f (%d sentences)", valid, lm.perplexity(held), held.count))
        }
    }

    func runWords() throws {
        let order = self.order ?? 3
        let train = try wordSentences(manifests: manifest, texts: text)
        guard !train.isEmpty else { throw ValidationError(noSentences) }
        let words = train.reduce(0) { $0 + $1.count }
        FileHandle.standardError.write(Data("lm: counting \(order)-grams of \(train.count) sentences (\(words) words)\n".utf8))
        let lm = try KneserNeyEstimator.estimate(sentences: train, order: order, minCount: minCount)
        try lm.save(to: out)
        let lexicon = try LexiconWordLM(lm: lm, vocabulary: Vocabulary.characters)
        print("wrote \(out): word \(order)-gram, Kneser-Ney, min count \(minCount), \(train.count) sentences, \(words) words, "
              + "\(lm.vocabularySize - 3) words in the vocabulary (\(lexicon.lexiconSize) spelled with the model's characters), n-grams per order \(lm.ngramCounts)")
        if let valid {
            let held = try wordSentences(manifests: [valid], texts: [])
            let (ppl, oov) = lm.perplexity(held)
            print(String(format: "perplexity per word on %@: %.1f (%d sentences; %.2f%% of the words out of vocabulary)", valid, ppl, held.count, 100 * oov))
        }
    }
}
