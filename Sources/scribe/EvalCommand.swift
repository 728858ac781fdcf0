// `scribe eval`: transcribe every utterance of a manifest (both cores) and report WER/CER, alignments of the
// worst utterances, confusions, a bootstrap 95% interval and the real-time factor.
import ArgumentParser
import Audio
import Decoding
import Evaluation
import Foundation
import Model
import NN
import Tensor
import Training

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a model on a manifest: WER, CER, alignments, confusions, 95% interval, real-time factor.",
        discussion: """
            The manifest is NeMo-style JSON Lines ({"audio_filepath", "text"}, paths relative to it; "duration" may be left out). \
            References and hypotheses go through Scribe's text normalizer (--raw scores the text as it is). \
            --json prints JSON Lines whose last line is a one-line summary with utterances, ref_words, wer, cer, \
            substitutions, deletions, insertions, hits, rtf and wer_ci95 (rates as fractions).
            """)

    @Option(help: "Manifest to evaluate (JSON Lines).") var manifest: String
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var search: SearchOptions
    @Flag(help: "Print JSON Lines instead of the text report.") var json = false
    @Flag(help: "Score raw text (no normalization).") var raw = false
    @Flag(help: "Decode as `scribe stream` does: audio fed in 64 ms chunks through the streaming pipeline (blockwise beam search, endpointing); finals are joined. --beam is then the partials' beam (default 4, as in `scribe stream`).")
    var stream = false
    @OptionGroup(title: "Streaming (with --stream)") var latency: StreamLatencyOptions
    @Option(help: "Decode on this many threads (one utterance each; BLAS runs single-threaded).") var threads: Int = 2
    @Option(help: "Evaluate only the first N utterances.") var limit: Int?
    @Option(help: "Also write per-utterance hypotheses as JSON Lines (id, ref, hyp) to this file.") var hypotheses: String?

    func validate() throws {
        if threads < 1 || threads > 64 { throw ValidationError("--threads must be 1...64") }
    }

    func run() throws {
        let directory = try modelOptions.resolvedPath()
        let model = try ModelDirectory.load(directory)
        // "duration" is optional here: the audio's own length is used for the real-time factor.
        var (entries, problems) = try Manifest.read(manifest, skipBad: true, requireDuration: false)
        for p in problems { FileHandle.standardError.write(Data("scribe: skipping \(p)\n".utf8)) }
        if let limit { entries = Array(entries.prefix(limit)) }
        Threading.configure(threads: 1)
        let beamOptions = try search.beamOptions(model: model, modelDirectory: directory)
        let transcriber = Transcriber(model: model, beam: beamOptions)
        let chunk = try latency.spec(for: model)
        // With --stream, `scribe stream`'s search.
        let streamOptions = stream ? try StreamCommand.searchOptions(beam: search.beam ?? 4, ctcWeight: search.ctcWeight,
                                                                     languageModel: search.languageModel, model: model, modelDirectory: directory) : nil
        let results = IndexedResults<(Result<(text: String, audioSeconds: Double), Error>, seconds: Double)>(count: entries.count)
        let progress = ProgressLine(total: entries.count, label: "eval")
        let start = Date()
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            var i = worker
            while i < entries.count {
                let e = entries[i]
                let t0 = Date()
                let outcome: Result<(text: String, audioSeconds: Double), Error> = Result {
                    let samples = try AudioReader.load(e.audioPath)
                    let seconds = Double(samples.count) / Double(AudioLimits.targetRate)
                    if let streamOptions { return (try Self.streamed(samples, model: model, options: streamOptions, chunk: chunk, margin: latency.margin, finalPass: latency.finalPass, finalBeam: latency.finalBeam(for: model)), seconds) }
                    return (try transcriber.transcribe(samples: samples).text, seconds)
                }
                results.set(i, (outcome, seconds: Date().timeIntervalSince(t0)))
                progress.tick()
                i += threads
            }
        }
        progress.finish()
        var options = ScoreOptions()
        options.normalize = !raw
        var acc = ScoreAccumulator(options: options)
        var audioSeconds = 0.0, computeSeconds = 0.0, failed = 0
        var hypLines = [String]()
        for (e, slot) in zip(entries, results.values) {
            switch slot?.0 {
            case .success(let (hyp, seconds))?:
                acc.add(id: e.id, reference: e.text, hypothesis: hyp)
                audioSeconds += seconds
                computeSeconds += slot?.seconds ?? 0
                hypLines.append(Self.jsonLine(["id": e.id, "ref": e.text, "hyp": hyp]))
            case .failure(let err)?:
                failed += 1
                FileHandle.standardError.write(Data("scribe: \(manifest):\(e.line): \(err)\n".utf8))
            case nil: break
            }
        }
        guard !acc.utterances.isEmpty else { throw ValidationError("nothing could be scored (\(failed) utterances failed)") }
        acc.addTiming(audioSeconds: audioSeconds, computeSeconds: computeSeconds)
        if let hypotheses { try (hypLines.joined(separator: "\n") + "\n").write(toFile: hypotheses, atomically: true, encoding: .utf8) }
        let report = acc.report()
        FileHandle.standardOutput.write(Data((json ? report.jsonLines() : report.text()).utf8))
        if !json {
            print(String(format: "wall time %.1f s for %.1f s of audio on %d threads", Date().timeIntervalSince(start), audioSeconds, threads))
        }
        if failed > 0 { throw ExitCode(1) }
    }

    /// The text `scribe stream` would print (its finals joined) for these samples.
    static func streamed(_ samples: [Float], model: SpeechRecognizer, options: BeamOptions, chunk: ChunkSpec?, margin: Int,
                         finalPass: FinalPass, finalBeam: Int) throws -> String {
        let session = try StreamingSession(model: model, options: options, chunk: chunk, margin: margin)
        session.finalPass = finalPass
        session.finalBeam = finalBeam
        var finals = [String]()
        func collect(_ events: [StreamEvent]) {
            for case .final(let text, _, _, _) in events where !text.isEmpty { finals.append(text) }
        }
        var i = 0
        while i < samples.count {
            collect(try session.accept(Array(samples[i..<min(i + 1024, samples.count)])))
            i += 1024
        }
        collect(try session.finish())
        return finals.joined(separator: " ")
    }

    static func jsonLine(_ d: [String: String]) -> String {
        let data = try! JSONSerialization.data(withJSONObject: d, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}

/// A one-line progress display on stderr (redrawn on a terminal, every 10% otherwise).
final class ProgressLine: @unchecked Sendable {
    let total: Int, label: String
    private var done = 0
    private let lock = NSLock()
    private let start = Date()
    private let tty = isatty(2) != 0
    init(total: Int, label: String) { self.total = total; self.label = label }

    func tick() {
        lock.lock(); done += 1; let d = done; lock.unlock()
        let step = max(total / 10, 1)
        guard tty || d % step == 0 || d == total else { return }
        let elapsed = Date().timeIntervalSince(start)
        let eta = elapsed / Double(d) * Double(total - d)
        let line = String(format: "%@ %d/%d (%.0f%%) elapsed %.0fs ETA %.0fs", label, d, total, 100 * Double(d) / Double(max(total, 1)), elapsed, eta)
        FileHandle.standardError.write(Data((tty ? "\r" + line + "\u{1B}[K" : line + "\n").utf8))
    }

    func finish() { if tty { FileHandle.standardError.write(Data("\n".utf8)) } }
}
