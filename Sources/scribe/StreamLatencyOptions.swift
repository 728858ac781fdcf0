// `--chunk`, `--lookahead`, `--margin`, `--final-pass`, `--final-beam`: the streaming encoder's chunking, the
// blockwise search's margin and how finals are decoded, shared
// by `scribe stream` and `scribe eval --stream` so a latency setting's accuracy can be measured before it is used.
import ArgumentParser
import Decoding
import Model
import NN

struct StreamLatencyOptions: ParsableArguments {
    @Option(help: "Encoder frames per streaming chunk (default: the model's; smaller lowers latency, usually at some accuracy).")
    var chunk: Int?
    @Option(help: "Look-ahead encoder frames per layer (default: the model's).")
    var lookahead: Int?
    @Option(help: "How the look-ahead passes between BiLSTM encoder layers (default: the model's): layered = a chunk waits for the layer below's look-ahead (chunk + look-ahead + (layers − 1)·chunk frames of delay), shared = one look-ahead window for all layers (chunk + look-ahead frames). A model is only accurate in the mode it was trained in.")
    var lookaheadMode: StreamLookahead?
    @Option(help: "Encoder frames the blockwise search keeps its attention peak clear of the newest frame.")
    var margin: Int = 2
    @Option(help: "How a segment's final is decoded: full = again with the full-context encoder and the offline search (two-pass; finals as `scribe transcribe` gives them), streaming = the blockwise search finishes on the streaming encoder's output.")
    var finalPass: FinalPass = .full
    @Option(help: "Beam width of the two-pass final (--final-pass full); the partials keep --beam. The default is `scribe transcribe`'s (the model's decoding.beam, 8 if its config sets none), so a final is what transcribing the segment gives.")
    var finalBeam: Int?

    func validate() throws {
        if let finalBeam, finalBeam < 1 { throw ValidationError("--final-beam must be at least 1, got \(finalBeam)") }
        if let chunk, chunk < 1 { throw ValidationError("--chunk must be at least 1, got \(chunk)") }
        if let lookahead, lookahead < 0 { throw ValidationError("--lookahead must be at least 0, got \(lookahead)") }
        if margin < 0 { throw ValidationError("--margin must be at least 0, got \(margin)") }
    }

    /// The two-pass finals' beam for `model`: --final-beam, else its decoding default.
    func finalBeam(for model: SpeechRecognizer) -> Int { finalBeam ?? model.config.decoding.beam }

    /// The chunk spec for `model`: its own, with --chunk / --lookahead applied.
    func spec(for model: SpeechRecognizer) throws -> ChunkSpec? {
        guard chunk != nil || lookahead != nil || lookaheadMode != nil else { return model.config.encoder.streaming }
        guard let own = model.config.encoder.streaming else {
            throw ValidationError("--chunk/--lookahead/--lookahead-mode: this model has no streaming chunk spec (encoder.streaming); it re-encodes the open segment instead")
        }
        if lookaheadMode == .shared && model.config.encoder.kind != .blstm {
            throw ValidationError("--lookahead-mode shared: only a BiLSTM encoder has it; this model's encoder is \(model.config.encoder.kind.rawValue)")
        }
        return ChunkSpec(chunk: chunk ?? own.chunk, lookahead: lookahead ?? own.lookahead, mode: lookaheadMode ?? own.mode)
    }
}

extension FinalPass: ExpressibleByArgument {}
extension StreamLookahead: ExpressibleByArgument {}
