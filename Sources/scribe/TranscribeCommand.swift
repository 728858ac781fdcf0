// `scribe transcribe FILE...` (also plain `scribe FILE...`): one line of text per input.
import ArgumentParser
import Audio
import Decoding
import Foundation
import Model
import Tensor

struct TranscribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcribe",
        abstract: "Transcribe audio files (the default subcommand: `scribe FILE...` does the same).",
        discussion: """
            Prints one line of text per input, in order. Inputs may be WAV, FLAC or OGG at any rate and channel \
            count, or - for stdin. --beam 1 is greedy search.

            Examples:
              scribe audio/sample.wav
              scribe transcribe --model models/default --beam 8 a.wav b.flac
            """)

    @Argument(help: "Audio files, or - for stdin.")
    var inputs: [String] = []

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var search: SearchOptions
    @OptionGroup var audio: AudioInputOptions

    @Flag(help: "Prefix each line with the input's name (text format).")
    var names = false

    @Option(help: "Output format: text, json (segments, words, times, confidence, n-best), srt, vtt.")
    var format: OutputFormat = .text

    @Option(help: "Write one file per input here (NAME.txt/.json/.srt/.vtt) instead of printing.")
    var outputDir: String?

    @Option(help: "Decode this many segments of long audio at once (VAD splits inputs longer than 20 s).")
    var threads: Int = 1

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one audio file (or - for stdin)") }
        if threads < 1 || threads > 64 { throw ValidationError("--threads must be 1...64") }
    }

    func run() throws {
        let directory = try modelOptions.resolvedPath()
        let model = try ModelDirectory.load(directory)
        var long = LongFormTranscriber(transcriber: Transcriber(model: model, beam: try search.beamOptions(model: model, modelDirectory: directory)))
        long.threads = threads
        if threads > 1 { Threading.configure(threads: 1) }
        if let outputDir { try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true) }
        var failures = 0
        for path in inputs {
            do {
                var segments = [SegmentResult]()
                let tty = isatty(2) != 0
                try long.run(try audio.open(path)) { segment in
                    segments.append(segment)
                    // Long inputs come out segment by segment: show how far the transcription is on a terminal.
                    if tty && segment.end > 20 {
                        FileHandle.standardError.write(Data(String(format: "\r%@: %@ transcribed\u{1B}[K", path, OutputFormat.time(segment.end, comma: false)).utf8))
                    }
                }
                if tty && (segments.last?.end ?? 0) > 20 { FileHandle.standardError.write(Data("\n".utf8)) }
                // Silence and noise give an empty transcript by design (exit 0); say so, so it is not taken for a failure.
                if segments.allSatisfy({ $0.text.isEmpty }) {
                    FileHandle.standardError.write(Data("scribe: \(path): no speech detected; the transcript is empty\n".utf8))
                }
                let doc = format.render(segments, source: path)
                if let outputDir {
                    let base = path == "-" ? "stdin" : URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
                    try ModelDirectory.atomicWrite(Data(doc.utf8), to: "\(outputDir)/\(base).\(format.fileExtension)")
                } else if format == .text && names {
                    print("\(path)\t\(doc)", terminator: "")
                } else {
                    print(doc, terminator: "")
                }
            } catch {
                failures += 1
                FileHandle.standardError.write(Data("scribe: \(error)\n".utf8))
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}

/// Beam-search flags, mapped onto `BeamOptions` in one place.
struct SearchOptions: ParsableArguments {
    @Option(help: "Beam width (1 = greedy; default: the model's decoding.beam, 8 if its config sets none).")
    var beam: Int?
    @Option(help: "Length normalization exponent α (score / length^α; default: the model's decoding.length_penalty, 1.0 if its config sets none).")
    var lengthPenalty: Float?
    @Flag(help: "Use the GNMT length penalty ((5 + length) / 6)^α instead of length^α.")
    var gnmt = false
    @Option(help: "Coverage penalty β (0 = off).")
    var coveragePenalty: Float = 0
    @Option(parsing: .unconditional, help: "EOS threshold γ: end a hypothesis only when log p(eos) ≥ γ + the best other token's (e.g. -1.5; default off).")
    var eosThreshold: Float?
    @Option(help: "Maximum output characters per encoder frame.")
    var maxLengthRatio: Float = 1.5
    @Option(help: "Number of hypotheses to output (JSON formats).")
    var nBest: Int = 1
    @Option(help: "CTC weight λ of joint CTC/attention beam search, when the model has a CTC head (0 = attention only; default: the model's decoding.ctc_weight, 0.3 if its config sets none).")
    var ctcWeight: Float?
    @OptionGroup var languageModel: LanguageModelOptions

    func validate() throws {
        if let beam, beam < 1 { throw ValidationError("--beam must be at least 1, got \(beam)") }
        // Without --beam, the model's beam bounds --n-best; `beamOptions(model:modelDirectory:)` checks it.
        if nBest < 1 || beam.map({ nBest > $0 }) == true {
            throw ValidationError("--n-best must be in 1...beam\(beam.map { " (\($0))" } ?? ""), got \(nBest)")
        }
        if maxLengthRatio <= 0 { throw ValidationError("--max-length-ratio must be positive") }
        if let w = ctcWeight, !(0...1).contains(w) { throw ValidationError("--ctc-weight must be in 0...1, got \(w)") }
        if let a = lengthPenalty, !(0...3).contains(a) { throw ValidationError("--length-penalty must be in 0...3, got \(a)") }
    }

    /// The search for `model` (loaded from `modelDirectory`): nil for greedy (--beam 1), else the beam options with
    /// the language model.
    func beamOptions(model: SpeechRecognizer, modelDirectory: String) throws -> BeamOptions? {
        let beam = width(for: model)
        if nBest > beam { throw ValidationError("--n-best must be in 1...beam (\(beam)), got \(nBest)") }
        return beam > 1 ? try languageModel.apply(to: beamOptions(model: model), model: model, modelDirectory: modelDirectory) : nil
    }

    /// The beam width: --beam, else the model's decoding default.
    func width(for model: SpeechRecognizer) -> Int { beam ?? model.config.decoding.beam }

    /// The beam options before the language model: flags, else `model`'s decoding defaults.
    func beamOptions(model: SpeechRecognizer) -> BeamOptions {
        var o = BeamOptions(beam: width(for: model))
        o.lengthPenalty = lengthPenalty ?? model.config.decoding.lengthPenalty
        o.gnmt = gnmt
        o.coveragePenalty = coveragePenalty
        o.eosThreshold = eosThreshold
        o.maxLengthRatio = maxLengthRatio
        o.nBest = nBest
        o.ctcWeight = ctcWeight ?? model.config.decoding.ctcWeight
        return o
    }
}
