// The `scribe` command: subcommands for transcription, features, evaluation and training.
// This file holds only the root command and process start-up (BLAS core selection); each
// subcommand lives in its own file.
import ArgumentParser
import Foundation

@main
struct Scribe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scribe",
        abstract: "Scribe: speech-to-text with attention encoder-decoder models, on the CPU.",
        discussion: """
            Audio files may be WAV, FLAC or OGG at any rate and channel count; `-` reads stdin. \
            Run `scribe help <subcommand>` for the options of each subcommand.
            """,
        version: "0.1.0",
        subcommands: [TranscribeCommand.self, FeaturesCommand.self, ScoreCommand.self, NormalizeCommand.self, ManifestCommand.self, InfoCommand.self, TrainCommand.self, EvalCommand.self, AlignCommand.self, StreamCommand.self, PlotCommand.self, AverageCommand.self, LMCommand.self, BenchCommand.self, TrainBenchCommand.self, DecodeBenchCommand.self],
        defaultSubcommand: TranscribeCommand.self
    )

    static func main() {
        BLASStartup.ensureCoreType()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
