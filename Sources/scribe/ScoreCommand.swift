// `scribe score`: scores existing transcripts (hypotheses against references) and prints WER/CER, sclite-style
// alignments of the worst utterances, confusion pairs and a bootstrap interval. The work is in Evaluation.
import ArgumentParser
import Evaluation
import Foundation

extension TranscriptFormat: ExpressibleByArgument {}

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score hypothesis transcripts against references (WER, CER, alignments).",
        discussion: """
            Files may be Kaldi-style `id text` lines, line-aligned plain text, or JSON Lines manifests \
            (NeMo style: id from "id" or "audio_filepath", text from "text"; a hypothesis manifest may use \
            "pred_text"). --format auto picks JSON Lines when the first line starts with `{`, Kaldi when every \
            line starts with a token containing a digit, plain text otherwise. Two files with ids are \
            paired by id (ids on one side only are listed and not scored); otherwise line by line.

            Text is normalized first (lowercase, numbers and %, &, + ... spelled out, other punctuation \
            dropped, apostrophes inside words kept); --raw skips that and only splits on whitespace, exactly \
            like jiwer. Counts (hits, substitutions, deletions, insertions, for words and for characters with \
            spaces) equal jiwer 4's, including its choice among equal-cost alignments.

            Empty references: jiwer refuses them; here an empty reference with an empty hypothesis scores 0 \
            errors, and with a non-empty hypothesis every word is an insertion, counted in the corpus WER; that \
            utterance's own rate is undefined (null in JSON). The corpus WER is null only if no reference has a word.

            The 95% interval resamples utterances (percentile bootstrap, seeded, so repeatable). \
            --json prints JSON Lines: the worst utterances, the confusion pairs, and last a one-line summary \
            with utterances, ref_words, wer, cer, hits, substitutions, deletions, insertions, wer_ci95 \
            (rates as fractions).

            Examples:
              scribe score --ref data/test/text --hyp exp/decode/text
              scribe score --ref test_manifest.json --hyp predictions.json --json | tail -1
            """)

    @Option(help: "Reference transcripts.")
    var ref: String

    @Option(help: "Hypothesis transcripts.")
    var hyp: String

    @Option(help: "File layout: auto, kaldi, plain or jsonl (applies to both files).")
    var format: TranscriptFormat = .auto

    @Flag(help: "Machine-readable JSON Lines output; the last line is the summary.")
    var json = false

    @Flag(help: "Do not normalize the text; split on whitespace only, as jiwer does.")
    var raw = false

    @Option(help: "How many of the worst utterances to show aligned.")
    var worst = 10

    @Option(help: "How many of the most frequent substitution pairs to list.")
    var confusions = 10

    @Option(help: "Bootstrap resamples for the WER interval (0 to skip).")
    var bootstrap = 1000

    @Option(help: "Seed of the bootstrap resampling.")
    var seed: UInt64 = 0

    func validate() throws {
        if worst < 0 { throw ValidationError("--worst must be 0 or more, got \(worst)") }
        if confusions < 0 { throw ValidationError("--confusions must be 0 or more, got \(confusions)") }
        if bootstrap < 0 { throw ValidationError("--bootstrap must be 0 or more, got \(bootstrap)") }
    }

    func run() throws {
        var options = ScoreOptions()
        options.normalize = !raw
        options.worstCount = worst
        options.confusionCount = confusions
        options.bootstrapReplicates = bootstrap
        options.seed = seed

        let reference = try TranscriptReader.read(path: ref, format: format, role: .reference)
        let hypothesis = try TranscriptReader.read(path: hyp, format: format, role: .hypothesis)
        let pairing = try TranscriptPairing(reference: reference, hypothesis: hypothesis)
        if !pairing.missingInHypothesis.isEmpty {
            warn("\(pairing.missingInHypothesis.count) reference ids not in \(hyp) (not scored): "
                 + pairing.missingInHypothesis.prefix(20).joined(separator: ", "))
        }
        if !pairing.missingInReference.isEmpty {
            warn("\(pairing.missingInReference.count) hypothesis ids not in \(ref) (not scored): "
                 + pairing.missingInReference.prefix(20).joined(separator: ", "))
        }

        var accumulator = ScoreAccumulator(options: options)
        for p in pairing.pairs { accumulator.add(id: p.id, reference: p.reference, hypothesis: p.hypothesis) }
        var report = accumulator.report()
        report.missingInHypothesis = pairing.missingInHypothesis
        report.missingInReference = pairing.missingInReference
        FileHandle.standardOutput.write(Data((json ? report.jsonLines() : report.text()).utf8))
    }

    private func warn(_ message: String) {
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }
}
