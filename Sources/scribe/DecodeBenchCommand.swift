// `scribe bench-decode` (hidden): times offline decoding of one utterance with the reference LAS model for
// bench/decode.sh — encoder alone, encoder + greedy, encoder + beam — at one thread, with EOS suppressed so
// every decode runs exactly `steps` steps. Saves the model and its input so PyTorch can run the same weights.
// Not a harness: PyTorch, pocketsphinx and the comparison live in bench/.
import ArgumentParser
import Audio
import Decoding
import Foundation
import Model
import Tensor

struct DecodeBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-decode",
        abstract: "Time offline decoding of one utterance with the reference LAS model (for bench/decode.sh).",
        discussion: """
            Writes to --out: the model directory (config.json, model.safetensors, ModelConfig.reference, seed as \
            configured) and input.safetensors with the features "x" [1, frames, 80] (of --audio looped to length, or \
            seeded normal noise) and \
            "check.logprobs" [check, V]: the log-probs of the first `check` greedy steps (EOS suppressed), for \
            the other side to compare. Then prints one JSON line {"threads": 1, "steps", "beam", "audio_s", \
            "encoder_cpu_s", "greedy_cpu_s", "beam_cpu_s" and the same as *_wall_s} (process CPU and wall \
            seconds per decode, encoder included in greedy and beam); with a CTC head also "joint_cpu_s" and \
            "joint_wall_s": beam search with joint CTC/attention scoring (λ 0.3, CTC head included).
            """,
        shouldDisplay: false)

    @Option(help: "Directory for the model and input.")
    var out: String

    @Option(help: "Time this model directory instead of the reference LAS model (copied to --out for the peer).")
    var model: String?

    @Option(help: "Audio file, repeated to `frames` / 100 seconds (default: seeded normal noise as features).")
    var audio: String?

    @Option(help: "Timed decodes of each kind.")
    var `repeat`: Int = 3

    @Option(help: "Untimed decodes of each kind first.")
    var warmup: Int = 1

    @Option(help: "Feature frames (100 per second).")
    var frames: Int = 800

    @Option(help: "Decoder steps (EOS suppressed until then).")
    var steps: Int = 121

    @Option(help: "Beam width.")
    var beam: Int = 8

    @Option(help: "Greedy steps whose log-probs are saved for the equivalence check.")
    var check: Int = 5

    func validate() throws {
        guard `repeat` >= 1, warmup >= 0, frames >= 4, steps >= 1, beam >= 1, check >= 1, check <= steps else {
            throw ValidationError("--repeat, --steps, --beam, --check must be ≥ 1 (check ≤ steps), --frames ≥ 4, --warmup ≥ 0")
        }
    }

    func run() throws {
        Threading.configure(threads: 1)
        let model = try self.model.map(ModelDirectory.load) ?? SpeechRecognizer(config: .reference)
        try ModelDirectory.save(model, to: out)
        let x: Tensor                                                                 // [1, T, 80]
        if let audio {
            let clip = try AudioReader.load(audio)
            guard !clip.isEmpty else { throw ValidationError("--audio \(audio): no samples") }
            let n = frames * 160 + 400                                               // enough for `frames` frames
            let looped = (0..<n).map { clip[$0 % clip.count] }
            let m = try model.features(samples: looped)
            guard m.frames >= frames else { throw ValidationError("--audio: \(m.frames) frames, need \(frames)") }
            x = Tensor(shape: [1, frames, m.dim], data: Array(m.data.prefix(frames * m.dim)))
        } else {
            var rng = RNG(seed: 21)
            x = Tensor.randn([1, frames, model.config.features.nMels], rng: &rng)
        }
        let e = model.config.encoder
        let encode = { Tensor.withoutGrad { model.encode(x, lengths: [frames], streaming: e.offlineChunked ? e.streaming : nil) } }  // [1, T/4, E]
        func decoder() -> UtteranceDecoder {
            let (values, lengths) = encode()
            return UtteranceDecoder(model: model, values: values, length: lengths[0])
        }
        var greedy = GreedySearch(maxLengthRatio: 0)
        (greedy.maxLengthConstant, greedy.minLength) = (steps, steps)
        var options = BeamOptions(beam: beam)
        (options.maxLengthRatio, options.maxLengthConstant, options.minLength, options.repetitionGuard) = (0, steps, steps, 0)
        let search = BeamSearch(options: options)

        // The check: log-probs of the first greedy steps, replayed from the greedy tokens.
        let d = decoder()
        let tokens = greedy.decode(d).tokens
        var state = d.initialState(hypotheses: 1), logProbs = [Float]()
        for token in [Vocabulary.sos] + tokens.prefix(check - 1) {
            let (lp, _, next) = d.step([token], state)
            logProbs += lp
            state = next
        }
        try Safetensors.write(["x": x, "check.logprobs": Tensor(shape: [check, d.vocabularySize], data: logProbs)],
                              to: "\(out)/input.safetensors")

        func time(_ work: () -> Int) -> (cpu: [Double], wall: [Double], count: Int) {
            var cpu: [Double] = [], wall: [Double] = [], count = 0
            for i in 0..<(warmup + `repeat`) {
                let c0 = TrainBenchCommand.cpuSeconds(), t0 = DispatchTime.now().uptimeNanoseconds
                count = work()
                let dw = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, dc = TrainBenchCommand.cpuSeconds() - c0
                if i >= warmup { cpu.append(dc); wall.append(dw) }
            }
            return (cpu, wall, count)
        }
        let enc = time { encode().values.shape[1] }
        let gr = time { greedy.decode(decoder()).tokens.count }
        let bm = time { search.decode(decoder()).first?.tokens.count ?? 0 }
        // Joint CTC/attention beam search with the model's λ (the CLI default; 0.3 if the model asks for attention
        // only, so there is still a joint search to time) when the model has a CTC head: Scribe only, the PyTorch
        // peer runs the attention-only search above.
        var jointOptions = options
        jointOptions.ctcWeight = model.config.decoding.ctcWeight > 0 ? model.config.decoding.ctcWeight : 0.3
        let jointSearch = BeamSearch(options: jointOptions)
        let jt = model.ctcHead == nil ? nil : time {
            let (values, lengths) = encode()
            let ctc = CTCPrefixScorer(model: model, logProbs: model.ctcLogProbs(values: values, length: lengths[0]), frames: lengths[0])
            return jointSearch.decode(UtteranceDecoder(model: model, values: values, length: lengths[0]), ctc: ctc).first?.tokens.count ?? 0
        }
        guard gr.count == steps, bm.count == steps else {
            throw ValidationError("decodes ran \(gr.count) (greedy) and \(bm.count) (beam) steps, expected \(steps)")
        }
        let r4 = { (v: Double) in (v * 10000).rounded() / 10000 }
        var line: [String: Any] = [
            "threads": 1, "steps": steps, "beam": beam, "audio_s": Double(frames) / 100, "encoder_frames": enc.count,
            "encoder_cpu_s": enc.cpu.map(r4), "greedy_cpu_s": gr.cpu.map(r4), "beam_cpu_s": bm.cpu.map(r4),
            "encoder_wall_s": enc.wall.map(r4), "greedy_wall_s": gr.wall.map(r4), "beam_wall_s": bm.wall.map(r4),
            "greedy_tokens": tokens.prefix(check).map { $0 },
        ]
        if let jt { (line["joint_cpu_s"], line["joint_wall_s"]) = (jt.cpu.map(r4), jt.wall.map(r4)) }
        let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
        fflush(stdout)
    }
}
