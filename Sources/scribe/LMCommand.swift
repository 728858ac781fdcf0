// `scribe lm`: trains the character n-gram language model that beam search fuses in (`--lm`, or lm.bin in a model
// directory), from the transcripts of training manifests and/or plain text files (one sentence per line).
import ArgumentParser
import Foundation
import Model
import Training

struct LMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lm",
        abstract: "Train a character n-gram language model for shallow fusion in beam search.",
        discussion: """
            Text goes through Scribe's normalizer and the model vocabulary. Train only on training text: a language \
            model that has seen the test sentences makes test WER meaningless.

            Example:
              scribe lm --manifest corpus/recipe/train.jsonl --valid corpus/recipe/valid.jsonl --out models/default/lm.bin
            """)

    @Option(help: "Training manifest(s) (JSON Lines); their transcripts are the training text.")
    var manifest: [String] = []
    @Option(help: "Plain text file(s), one sentence per line.")
    var text: [String] = []
    @Option(help: "Manifest whose transcripts measure perplexity (not trained on).")
    var valid: String?
    @Option(help: "n-gram order (1...\(CharacterLM.maxOrder)).")
    var order: Int = 7
    @Option(help: "Absolute discount D in (0, 1].")
    var discount: Float = 0.7
    @Option(help: "Output file (written atomically).")
    var out: String

    func validate() throws {
        if manifest.isEmpty && text.isEmpty { throw ValidationError("give training text: --manifest M.jsonl and/or --text FILE") }
        if !(1...CharacterLM.maxOrder).contains(order) { throw ValidationError("--order must be in 1...\(CharacterLM.maxOrder), got \(order)") }
        if !(discount > 0 && discount <= 1) { throw ValidationError("--discount must be in (0, 1], got \(discount)") }
    }

    func sentences(manifests: [String], texts: [String]) throws -> [[Int]] {
        let vocabulary = Vocabulary.characters
        var out = [[Int]]()
        for m in manifests {
            let (entries, _) = try Manifest.read(m)
            out += entries.map { vocabulary.encode($0.text) }
        }
        for path in texts {
            guard let data = FileManager.default.contents(atPath: path), let s = String(data: data, encoding: .utf8) else {
                throw ValidationError("\(path): cannot read it as UTF-8 text")
            }
            out += s.split(whereSeparator: \.isNewline).map { vocabulary.encode(String($0)) }
        }
        return out.filter { !$0.isEmpty }
    }

    func run() throws {
        let train = try sentences(manifests: manifest, texts: text)
        guard !train.isEmpty else { throw ValidationError("no training sentences after normalization") }
        let lm = try CharacterLM(sentences: train, order: order, classes: Vocabulary.characters.count, discount: discount)
        try lm.save(to: out)
        let chars = train.reduce(0) { $0 + $1.count }
        print("wrote \(out): order \(order), discount \(discount), \(train.count) sentences, \(chars) characters, n-grams per order \(lm.ngramCounts)")
        if let valid {
            let held = try sentences(manifests: [valid], texts: [])
            print(String(format: "perplexity per character on %@: %.3f (%d sentences)", valid, lm.perplexity(held), held.count))
        }
    }
}
