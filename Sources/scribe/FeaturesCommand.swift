// `scribe features`: log-mel features of one input, written as .npy or summarised on the terminal.
import ArgumentParser
import Audio
import Features
import Foundation

struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Compute log-mel features of an audio file or stdin.",
        discussion: """
            Writes a float32 .npy matrix of shape [frames, 80] with --out; otherwise prints the shape and \
            summary statistics. Defaults reproduce librosa's melspectrogram (25 ms window, 10 ms hop, \
            512-point FFT, 80 Slaney mel bands, natural log floored at 1e-10); --kaldi selects Kaldi-style fbank. \
            Input is read in chunks, so memory stays flat for hour-long files and streams.

            Examples:
              scribe features audio/sample.wav --out sample.npy
              arecord -f S16_LE -r 16000 -c 1 | scribe features -
            """)

    @Argument(help: "Audio file (WAV, FLAC, OGG, ...) or - for stdin.")
    var input: String

    @Option(name: .shortAndLong, help: "Write the [frames, 80] float32 matrix to this .npy file.")
    var out: String?

    @Flag(help: "Kaldi-style fbank (Povey window, pre-emphasis, DC removal, snip edges, 16-bit scale).")
    var kaldi = false

    @Flag(help: "Normalize each feature to zero mean and unit variance over the utterance (needs the whole utterance in memory).")
    var normalize = false

    @Option(name: .customLong("repeat"), help: "Time the extraction this many times over the in-memory audio and print a JSON line with the median (used by bench/).")
    var repetitions: Int?

    @OptionGroup var audio: AudioInputOptions

    func validate() throws {
        if let repetitions, repetitions < 1 { throw ValidationError("--repeat must be at least 1, got \(repetitions)") }
    }

    func run() throws {
        let config: FeatureConfig = kaldi ? .kaldi : .librosa
        let reader = try audio.open(input)
        if let repetitions { return try benchmark(reader: reader, config: config, repetitions: repetitions) }
        let extractor = try LogMelExtractor(config: config)
        let writer = try out.map { try NPYWriter(path: $0, columns: config.nMels) }
        var summary = SummaryStats()
        var frames = [Float]()
        var whole = [Float]()  // only with --normalize
        do {
            while let chunk = try reader.nextChunk() {
                frames.removeAll(keepingCapacity: true)
                extractor.accept(chunk, into: &frames)
                try consume(frames, normalize: normalize, writer: writer, summary: &summary, whole: &whole)
            }
            frames.removeAll(keepingCapacity: true)
            extractor.finish(into: &frames)
            try consume(frames, normalize: normalize, writer: writer, summary: &summary, whole: &whole)
            if normalize {
                let m = FeatureMatrix(frames: whole.count / config.nMels, dim: config.nMels, data: whole).normalizedPerUtterance()
                summary = SummaryStats()
                summary.add(m.data)
                try writer?.append(m.data)
            }
            try writer?.close()
        } catch {
            writer?.abandon()
            throw error
        }
        let rows = extractor.framesEmitted
        let seconds = Double(reader.outputSamples) / Double(config.sampleRate)
        if let out {
            print("wrote \(out): [\(rows), \(config.nMels)] float32, \(String(format: "%.2f", seconds)) s of audio")
        } else {
            print("shape: [\(rows), \(config.nMels)] (frames × mel bands), \(String(format: "%.2f", seconds)) s at \(config.sampleRate) Hz"
                  + " (source \(reader.source.sampleRate) Hz, \(reader.source.channels) ch)")
            print(String(format: "min %.4f  max %.4f  mean %.4f  std %.4f", summary.min, summary.max, summary.mean, summary.std))
        }
    }

    private func consume(_ frames: [Float], normalize: Bool, writer: NPYWriter?, summary: inout SummaryStats, whole: inout [Float]) throws {
        if normalize { whole.append(contentsOf: frames); return }
        summary.add(frames)
        try writer?.append(frames)
    }

    private func benchmark(reader: AudioReader, config: FeatureConfig, repetitions: Int) throws {
        let samples = try reader.readAll()
        var times = [Double]()
        var frames = 0
        for _ in 0..<repetitions {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let m = try LogMelExtractor.compute(samples, config: config)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            frames = m.frames
        }
        times.sort()
        let median = times[times.count / 2]
        let audioSeconds = Double(samples.count) / Double(config.sampleRate)
        print("{\"frames\":\(frames),\"audio_seconds\":\(audioSeconds),\"median_seconds\":\(median),\"x_realtime\":\(audioSeconds / median)}")
    }
}

/// Min, max, mean and standard deviation over a stream of values (Float64 accumulators).
struct SummaryStats {
    var count = 0
    var sum = 0.0, sumSquares = 0.0
    var min = Double.infinity, max = -Double.infinity

    mutating func add(_ values: [Float]) {
        for v in values {
            let x = Double(v)
            sum += x; sumSquares += x * x
            if x < min { min = x }
            if x > max { max = x }
        }
        count += values.count
    }

    var mean: Double { count > 0 ? sum / Double(count) : 0 }
    var std: Double { count > 0 ? Swift.max(sumSquares / Double(count) - mean * mean, 0).squareRoot() : 0 }
}
