// `scribe average`: the element-wise mean of several checkpoints' weights, written as a model directory.
import ArgumentParser
import Foundation
import Model
import Training

struct AverageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "average",
        abstract: "Average the weights of checkpoints (or model directories) of one config into a model directory.",
        discussion: "Example: scribe average --out models/avg models/default/checkpoints/step-000018*")

    @Argument(help: "Checkpoint or model directories (same config).") var inputs: [String]
    @Option(help: "Output model directory.") var out: String

    func validate() throws {
        if inputs.count < 2 { throw ValidationError("give at least two checkpoints to average") }
    }

    func run() throws {
        let model = try Checkpoint.average(inputs)
        try ModelDirectory.save(model, to: out, metadata: ["averaged_checkpoints": inputs.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ",")])
        print("wrote \(out): mean of \(inputs.count) checkpoints")
    }
}
