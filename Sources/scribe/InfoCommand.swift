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
        if system {
            print("OpenBLAS core: \(BLAS.coreName()) (OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "unset"))")
        }
    }
}
