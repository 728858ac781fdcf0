// `scribe align`: the attention alignment of a transcription as a heatmap (output characters × encoder
// frames), the picture the sequence-to-sequence papers show, plus the per-character times on stdout.
import ArgumentParser
import Decoding
import Foundation
import Model

struct AlignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "align",
        abstract: "Transcribe one input and draw its attention alignment as a PNG heatmap.")

    @Argument(help: "Audio file or - for stdin.") var input: String
    @Option(help: "PNG file to write.") var image: String
    @Option(help: "Pixels per encoder frame and per character.") var scale: Int = 6
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var search: SearchOptions
    @OptionGroup var audio: AudioInputOptions

    func validate() throws {
        if !(1...40).contains(scale) { throw ValidationError("--scale must be 1...40") }
    }

    func run() throws {
        let directory = try modelOptions.resolvedPath()
        let model = try ModelDirectory.load(directory)
        let samples = try audio.open(input).readAll()
        let t = try Transcriber(model: model, beam: try search.beamOptions(model: model, modelDirectory: directory)).transcribe(samples: samples)
        let hyp = t.hypotheses[0]
        let rows = hyp.attention                       // [U + 1][T']
        let frames = rows.first?.count ?? 0
        guard frames > 0, !rows.isEmpty else { throw ValidationError("nothing to align: the input produced no encoder frames") }
        var img = PNGImage(width: frames * scale, height: rows.count * scale)
        for (u, row) in rows.enumerated() {
            let peak = max(row.max() ?? 1, 1e-6)
            for (j, a) in row.enumerated() {
                let c = PNGImage.heat(a / peak)
                for dy in 0..<scale { for dx in 0..<scale { img.set(j * scale + dx, u * scale + dy, c) } }
            }
        }
        try ModelDirectory.atomicWrite(img.encoded(), to: image)
        print("text: \(t.text)")
        let chars = hyp.tokens.map { model.vocabulary.decode([$0]) } + ["<eos>"]
        for (c, p) in zip(chars, Timestamps.positions(rows)) {
            print(String(format: "%@\t%.3f s", c == " " ? "␣" : c, p / t.encoderFrameRate))
        }
        FileHandle.standardError.write(Data("wrote \(image): \(rows.count) characters (rows) × \(frames) encoder frames (columns, \(String(format: "%g", 1000 / t.encoderFrameRate)) ms each)\n".utf8))
    }
}
