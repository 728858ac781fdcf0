// Options every audio-reading subcommand shares: how to interpret raw PCM (stdin or --encoding files).
import ArgumentParser
import Audio

extension PCMEncoding: ExpressibleByArgument {}

/// `--encoding`, `--rate`, `--channels` for headerless PCM. A WAV stream on stdin is recognised by its
/// header and needs none of them; giving `--encoding` for a file reads that file as raw PCM.
struct AudioInputOptions: ParsableArguments {
    @Option(help: "Raw PCM sample encoding (s16le, s24le, s32le, f32le, u8). Default for stdin: s16le. Given for a file, the file is read as headerless PCM.")
    var encoding: PCMEncoding?

    @Option(parsing: .unconditional, help: "Raw PCM sample rate in Hz (default 16000).")
    var rate: Int?

    @Option(parsing: .unconditional, help: "Raw PCM channel count (default 1); channels are mixed down to mono.")
    var channels: Int?

    func validate() throws {
        if let rate, rate <= 0 { throw ValidationError("--rate must be a positive sample rate in Hz, got \(rate)") }
        if let rate, !(AudioLimits.minRate...AudioLimits.maxRate).contains(rate) {
            throw ValidationError("--rate \(rate) is outside the supported \(AudioLimits.minRate)...\(AudioLimits.maxRate) Hz")
        }
        if let channels, !(1...AudioLimits.maxChannels).contains(channels) {
            throw ValidationError("--channels must be between 1 and \(AudioLimits.maxChannels), got \(channels)")
        }
    }

    /// The raw format to use for `path`: always one for stdin (used when no WAV header is seen), and for a
    /// file only when an encoding was given.
    func rawFormat(for path: String) -> RawPCMFormat? {
        guard path == "-" || encoding != nil else {
            return (rate != nil || channels != nil) ? RawPCMFormat(encoding: .s16le, sampleRate: rate ?? 16_000, channels: channels ?? 1) : nil
        }
        return RawPCMFormat(encoding: encoding ?? .s16le, sampleRate: rate ?? 16_000, channels: channels ?? 1)
    }

    /// Opens `path` ("-" for stdin) as 16 kHz mono.
    func open(_ path: String) throws -> AudioReader {
        try AudioReader(path: path, raw: rawFormat(for: path))
    }
}
