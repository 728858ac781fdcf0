// `--model DIR` shared by the subcommands that need a model; the default is the model shipped in models/.
import ArgumentParser
import Foundation
import Model

struct ModelOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Model directory (config.json, model.safetensors, README.md). Default: $SCRIBE_MODEL, else models/default next to the scribe checkout.")
    var model: String?

    /// The directory to load: --model, $SCRIBE_MODEL, or models/default found from the working directory or the executable.
    func resolvedPath() throws -> String {
        if let model { return model }
        if let env = ProcessInfo.processInfo.environment["SCRIBE_MODEL"], !env.isEmpty { return env }
        var candidates = ["models/default"]
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("models/default").path)
            dir.deleteLastPathComponent()
        }
        for c in candidates where FileManager.default.fileExists(atPath: "\(c)/config.json") { return c }
        throw ValidationError("no model given and no default model found (looked in \(candidates.joined(separator: ", "))). Pass --model DIR or set SCRIBE_MODEL, or train one with `scribe train`.")
    }

    func load() throws -> SpeechRecognizer { try ModelDirectory.load(try resolvedPath()) }
}
