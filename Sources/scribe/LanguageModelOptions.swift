// `--lm`, `--lm-weight` and `--oov-penalty`, shared by the commands that run a beam search: a language model fused
// into the search (shallow fusion). Either a character n-gram (Scribe's lm.bin) or a word n-gram in ARPA format
// (lm.arpa, from `scribe lm --unit word`, KenLM or SRILM), spelled through the model's characters. The default is
// the model directory's lm.arpa, else its lm.bin, when it has one.
import ArgumentParser
import Decoding
import Foundation
import Model

struct LanguageModelOptions: ParsableArguments {
    @Option(help: "Language model for shallow fusion: a word n-gram in ARPA format or a character n-gram (both written by `scribe lm`). Default: lm.arpa, else lm.bin, in the model directory when present; 'none' turns it off.")
    var lm: String?
    @Option(help: "Language-model weight μ: μ × ln P_LM is added to every beam-search score (0 = off). Default: the model's own (config.json \"decoding\".lm_weight, 0.3 if it sets none).")
    var lmWeight: Float?
    @Option(parsing: .unconditional, help: "Word LM only: ln-penalty added to each out-of-vocabulary word (on top of ln P(<unk>)); above 0 lets more new words through. Default: the model's own (decoding.oov_penalty, 0 if it sets none).")
    var oovPenalty: Float?
    @Option(name: .customLong("ilm-weight"), help: "Internal language model subtraction κ: κ × ln P_ILM is taken off every beam-search score, where P_ILM is the LSTM speller's own prior over characters (the speller run with a zero attention context; Meng et al. 2021), so that the fused language model is not counted on top of it (0 = off; LSTM spellers only; not in the streaming partials). Default: the model's own (decoding.ilm_weight, 0 if it sets none) when a language model is fused, else 0.")
    var ilmWeight: Float?

    func validate() throws {
        if let lmWeight, !(0...5).contains(lmWeight) { throw ValidationError("--lm-weight must be in 0...5, got \(lmWeight)") }
        if let oovPenalty, !(-50...50).contains(oovPenalty) { throw ValidationError("--oov-penalty must be in -50...50, got \(oovPenalty)") }
        if let ilmWeight, !(0...5).contains(ilmWeight) { throw ValidationError("--ilm-weight must be in 0...5, got \(ilmWeight)") }
    }

    /// The language-model file to use with the model in `modelDirectory`, or nil.
    func path(modelDirectory: String) -> String? {
        if lm == "none" { return nil }
        return lm ?? Self.defaultPath(modelDirectory: modelDirectory)
    }

    /// The model directory's own language model: lm.arpa, else lm.bin, else nil.
    static func defaultPath(modelDirectory: String) -> String? {
        ["lm.arpa", "lm.bin"].map { "\(modelDirectory)/\($0)" }.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Loads `path` as whichever kind of language model it holds, for the recognizer's vocabulary.
    static func load(_ path: String, vocabulary: Vocabulary, oovPenalty: Float) throws -> any TokenLanguageModel {
        guard let head = FileHandle(forReadingAtPath: path)?.readData(ofLength: 256) else {
            throw ModelError.io(path: path, reason: "cannot read the language model (missing or unreadable)")
        }
        if WordLM.looksLikeARPA(head) {
            return try LexiconWordLM(lm: WordLM.load(path), vocabulary: vocabulary, oovPenalty: oovPenalty)
        }
        return try CharacterLM.load(path)
    }

    /// `options` with the language model (checked against the model's vocabulary), its weight and OOV penalty, and
    /// the internal LM subtraction.
    func apply(to options: BeamOptions, model: SpeechRecognizer, modelDirectory: String) throws -> BeamOptions {
        var o = options
        let defaults = model.config.decoding
        let weight = lmWeight ?? defaults.lmWeight
        let lmPath = weight > 0 ? path(modelDirectory: modelDirectory) : nil
        // The model's κ was tuned with its language model, so it applies only when one is fused; --ilm-weight always.
        let kappa = ilmWeight ?? (lmPath == nil ? 0 : defaults.ilmWeight)
        if kappa > 0 {
            guard let speller = model.speller else {
                throw ValidationError("--ilm-weight needs an LSTM speller; this model's decoder is a Transformer (use --ilm-weight 0)")
            }
            o.internalLM = InternalLanguageModel(speller: speller)
            o.ilmWeight = kappa
        }
        guard let path = lmPath else { return o }
        let lm = try Self.load(path, vocabulary: model.vocabulary, oovPenalty: oovPenalty ?? defaults.oovPenalty)
        guard lm.classes == model.vocabulary.count else {
            throw ValidationError("the language model has \(lm.classes) classes, the model's vocabulary \(model.vocabulary.count): train it for this model with `scribe lm`")
        }
        o.languageModel = lm
        o.lmWeight = weight
        return o
    }
}
