// `--lm` and `--lm-weight`, shared by the commands that run a beam search: a character language model fused into
// the search (shallow fusion). The default is the model directory's lm.bin when it has one.
import ArgumentParser
import Decoding
import Foundation
import Model

struct LanguageModelOptions: ParsableArguments {
    @Option(help: "Character language model for shallow fusion (written by `scribe lm`). Default: lm.bin in the model directory when present; 'none' turns it off.")
    var lm: String?
    @Option(help: "Language-model weight μ: μ × log P_LM is added to every beam-search score (0 = off).")
    var lmWeight: Float = 0.3

    func validate() throws {
        if !(0...5).contains(lmWeight) { throw ValidationError("--lm-weight must be in 0...5, got \(lmWeight)") }
    }

    /// The language model to use with the model in `modelDirectory`, or nil.
    func load(modelDirectory: String) throws -> CharacterLM? {
        if lm == "none" || lmWeight == 0 { return nil }
        if let lm { return try CharacterLM.load(lm) }
        let path = "\(modelDirectory)/lm.bin"
        return FileManager.default.fileExists(atPath: path) ? try CharacterLM.load(path) : nil
    }

    /// `options` with the language model (checked against the model's vocabulary) and its weight.
    func apply(to options: BeamOptions, model: SpeechRecognizer, modelDirectory: String) throws -> BeamOptions {
        var o = options
        guard let lm = try load(modelDirectory: modelDirectory) else { return o }
        guard lm.classes == model.vocabulary.count else {
            throw ValidationError("the language model has \(lm.classes) classes, the model's vocabulary \(model.vocabulary.count): train it for this model with `scribe lm`")
        }
        o.languageModel = lm
        o.lmWeight = lmWeight
        return o
    }
}
