// `scribe stream`: live transcription of PCM (or a WAV stream) arriving on stdin, e.g.
// `arecord -f S16_LE -r 16000 -c 1 | scribe stream`. Partial and final results as JSON Lines or text,
// flushed at once; SIGINT prints the final result it has; a closed stdout ends quietly.
import ArgumentParser
import Audio
import Decoding
import Foundation
import Model

struct StreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Transcribe audio from stdin as it arrives (partial and final results).",
        discussion: """
            Input: raw PCM (--encoding, --rate, --channels; default s16le 16 kHz mono) or a WAV stream. \
            JSON Lines events: {"type":"partial","text":...,"start":...} while speaking and \
            {"type":"final","text":...,"start":...,"end":...,"words":[...]} at each pause (endpoint) and at the \
            end of input. --text prints final lines only (partials on stderr when it is a terminal).

            Example: arecord -f S16_LE -r 16000 -c 1 | scribe stream
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var audio: AudioInputOptions
    @Option(help: "Beam width of the blockwise beam search.") var beam: Int = 4
    @Flag(help: "Plain text: one line per final result.") var text = false
    @Option(help: "Seconds of audio between partial updates (an update with no new encoder frames is skipped).") var update: Double = 0.08
    @Option(help: "Seconds of silence that end a segment (endpoint).") var endpoint: Double = 0.5
    @Option(help: "CTC weight λ of the joint CTC/attention search that finalizes each segment, when the model has a CTC head (0 = attention only; default: the model's decoding.ctc_weight, 0.3 if its config sets none).")
    var ctcWeight: Float?
    @OptionGroup var languageModel: LanguageModelOptions
    @OptionGroup var latency: StreamLatencyOptions

    func validate() throws {
        if beam < 1 { throw ValidationError("--beam must be at least 1") }
        if update <= 0 || endpoint <= 0 { throw ValidationError("--update and --endpoint must be positive") }
        if let w = ctcWeight, !(0...1).contains(w) { throw ValidationError("--ctc-weight must be in 0...1, got \(w)") }
    }

    /// The search `scribe stream` runs (also what `scribe eval --stream` runs): beam width, CTC weight (nil: the
    /// model's default) and language model; the two-pass finals rank with the model's length normalization; the
    /// other knobs at their defaults.
    static func searchOptions(beam: Int, ctcWeight: Float?, languageModel: LanguageModelOptions, model: SpeechRecognizer,
                              modelDirectory: String) throws -> BeamOptions {
        var options = BeamOptions(beam: beam)
        options.ctcWeight = ctcWeight ?? model.config.decoding.ctcWeight
        options.lengthPenalty = model.config.decoding.lengthPenalty
        return try languageModel.apply(to: options, model: model, modelDirectory: modelDirectory)
    }

    func run() throws {
        let directory = try modelOptions.resolvedPath()
        let model = try ModelDirectory.load(directory)
        var vad = EnergyVAD.Options()
        vad.minSilence = endpoint
        let options = try Self.searchOptions(beam: beam, ctcWeight: ctcWeight, languageModel: languageModel, model: model, modelDirectory: directory)
        let session = try StreamingSession(model: model, options: options, vad: vad, chunk: try latency.spec(for: model), margin: latency.margin)
        session.updateInterval = update
        session.finalPass = latency.finalPass
        session.finalBeam = latency.finalBeam(for: model)
        installInterruptHandler()
        let reader = try AudioReader(path: "-", raw: audio.rawFormat(for: "-"), chunkFrames: 1024)
        do {
            while let chunk = try reader.nextChunk() {
                for e in try session.accept(chunk) { emit(e) }
                if InputInterrupt.requested { break }
            }
        } catch AudioError.empty {
            return  // stdin closed at once: nothing to transcribe
        } catch let e as AudioError {
            // A stream cut mid-sample (or a read error): say so, and still give the result so far.
            FileHandle.standardError.write(Data("scribe: \(e)\n".utf8))
            for ev in try session.finish() { emit(ev) }
            throw ExitCode(1)
        }
        for e in try session.finish() { emit(e) }
    }

    func emit(_ event: StreamEvent) {
        var line: String
        switch event {
        case .partial(let t, let start):
            if text { return }
            line = json(["type": "partial", "text": t, "start": round3(start)])
        case .final(let t, let start, let end, let words):
            if text {
                line = t
            } else {
                line = json(["type": "final", "text": t, "start": round3(start), "end": round3(end),
                             "words": words.map { ["word": $0.word, "start": round3($0.start), "end": round3($0.end), "confidence": round3($0.confidence)] }])
            }
        }
        do { try FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8)) } catch {
            Foundation.exit(0)  // the reader went away (EPIPE): stop quietly
        }
    }

    func json(_ obj: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    func installInterruptHandler() {
        signal(SIGPIPE, SIG_IGN)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in InputInterrupt.requested = true }
        action.sa_flags = 0  // no SA_RESTART: a blocked read returns EINTR
        sigemptyset(&action.sa_mask)
        sigaction(SIGINT, &action, nil)
    }
}
