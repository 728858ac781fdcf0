// `scribe info`: what a model is (parameters per block, kinds, streaming, cost) and what this machine runs.
import ArgumentParser
import Foundation
import Model
import Tensor

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a model: parameters per block, encoder/decoder/attention kinds, streaming, FLOPs per second of audio.")

    @OptionGroup var modelOptions: ModelOptions

    @Flag(help: "Also print the BLAS core and thread settings of this machine.")
    var system = false

    func run() throws {
        let path = try modelOptions.resolvedPath()
        let model = try ModelDirectory.load(path)
        print("model: \(path)")
        for line in ModelSummary(model: model).lines() { print(line) }
        print("decoding beam: \(model.config.decoding.beam) (scribe FILE and the stream's two-pass finals; --beam overrides it)")
        if let lmPath = LanguageModelOptions.defaultPath(modelDirectory: path) {
            let d = model.config.decoding
            switch try LanguageModelOptions.load(lmPath, vocabulary: model.vocabulary, oovPenalty: d.oovPenalty) {
            case let w as LexiconWordLM:
                print("language model: \(lmPath): word \(w.lm.order)-gram, \(w.lexiconSize) words, n-grams per order \(w.lm.ngramCounts); fused with μ \(d.lmWeight), OOV penalty \(d.oovPenalty)")
            case let c as CharacterLM:
                print("language model: \(lmPath): character \(c.order)-gram; fused with μ \(d.lmWeight)")
            default:
                print("language model: \(lmPath)")
            }
        } else {
            print("language model: none (scripts/train-lm makes one; pass it with --lm)")
        }
        if model.config.decoding.lengthPenalty != 1 {
            print("length normalization: α \(model.config.decoding.lengthPenalty) (score / length^α; --length-penalty overrides it)")
        }
        if model.config.decoding.ilmWeight > 0 {
            print("internal LM subtraction: κ \(model.config.decoding.ilmWeight) (the speller's own prior, zero attention context; --ilm-weight overrides it)")
        }
        if system {
            print("OpenBLAS core: \(BLAS.coreName()) (OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "unset"))")
        }
    }
}
