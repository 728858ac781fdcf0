// `scribe bench-train` (hidden): times full training steps of the reference LAS model for bench/train.sh —
// forward (BiLSTM listener, teacher-forced location-aware speller), cross-entropy ignoring pad, backward,
// gradient-norm clip 5, Adam lr 1e-3 — on a synthetic batch. Not a harness: PyTorch and the comparison live in bench/.
import ArgumentParser
import Foundation
import Model
import Tensor
import Training

struct TrainBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-train",
        abstract: "Time training steps of the reference LAS model (for bench/train.sh).",
        discussion: """
            Batch of random log-mel features [batch, frames, 80] and random character targets of `chars` tokens \
            (decoder inputs sos + targets, outputs targets + eos). One step = forward, cross-entropy (no label \
            smoothing, pad ignored), backward, clip 5, Adam. Prints per thread count one JSON line \
            {"threads", "cpu_s" (process CPU seconds per step), "wall_s", "audio_s" (audio seconds per step)}.
            """,
        shouldDisplay: false)

    @Option(help: "Thread counts to time, comma-separated.")
    var threads: String = "1"

    @Option(help: "Timed steps per thread count.")
    var `repeat`: Int = 3

    @Option(help: "How a step uses its threads: blas = BLAS threads inside each op; batch = the batch split into one shard per thread, each on single-threaded BLAS (data parallel).")
    var parallel: TrainingConfig.ParallelMode = .blas

    @Option(help: "Untimed steps first.")
    var warmup: Int = 1

    @Option(help: "Batch size.")
    var batch: Int = 16

    @Option(help: "Feature frames per utterance (100 per second).")
    var frames: Int = 800

    @Option(help: "Target characters per utterance.")
    var chars: Int = 120

    func validate() throws {
        guard !threadCounts.isEmpty, threadCounts.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--threads must be positive integers separated by commas, got '\(threads)'")
        }
        guard `repeat` >= 1, warmup >= 0, batch >= 1, frames >= 4, chars >= 1 else {
            throw ValidationError("--repeat, --batch, --chars must be ≥ 1, --frames ≥ 4, --warmup ≥ 0")
        }
    }

    var threadCounts: [Int] { threads.split(separator: ",").map { Int($0) ?? 0 } }

    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    func run() throws {
        let config = ModelConfig.reference
        let model = SpeechRecognizer(config: config)
        let optimizer = Adam(parameters: model.parameters, learningRate: 1e-3)
        var rng = RNG(seed: 11)
        let x = Tensor.randn([batch, frames, 80], rng: &rng)                       // [B, T, 80]
        let lengths = [Int](repeating: frames, count: batch)
        let tokens = (0..<batch).map { _ in (0..<chars).map { _ in 4 + Int(rng.next() % 26) } }
        let inputs = tokens.map { [Vocabulary.sos] + $0 }
        let targets = tokens.flatMap { $0 + [Vocabulary.eos] }                    // [B · (U)]
        let u = chars + 1
        let replicas = DataParallel(master: model, shards: threadCounts.max()!)
        let blasStep = {
            let (values, encLengths) = model.encode(x, lengths: lengths)          // [B, T/4, 512]
            let logits = model.decodeTeacherForced(values: values, lengths: encLengths, inputs: inputs)  // [B, U, V]
            let loss = Tensor.crossEntropy(logits: logits.reshaped([batch * u, logits.shape[2]]), targets: targets,
                                           ignoreIndex: Vocabulary.pad)
            loss.backward()
            _ = clipGradNorm(optimizer.parameters, maxNorm: 5)
            optimizer.step()
            optimizer.zeroGrad()
            return loss.item
        }
        // Data parallel: each shard's mean cross-entropy weighted by its share of the batch's targets.
        let batchStep = { (n: Int) -> Float in
            let shards = DataParallel.split(batch, parts: n)
            let losses = replicas.step(shards: shards.count) { k, m in
                let r = shards[k]
                let (values, encLengths) = m.encode(x.slice(axis: 0, r), lengths: Array(lengths[r]))
                let logits = m.decodeTeacherForced(values: values, lengths: encLengths, inputs: Array(inputs[r]))
                let loss = Tensor.crossEntropy(logits: logits.reshaped([r.count * u, logits.shape[2]]),
                                               targets: Array(targets[(r.lowerBound * u)..<(r.upperBound * u)]), ignoreIndex: Vocabulary.pad)
                return loss.scaled(Float(r.count) / Float(batch))
            }
            _ = clipGradNorm(optimizer.parameters, maxNorm: 5)
            optimizer.step()
            optimizer.zeroGrad()
            return losses.reduce(0) { $0 + $1.item }
        }
        let audio = Double(batch * frames) / 100
        for n in threadCounts {
            Threading.configure(threads: parallel == .batch ? 1 : n)
            let step = parallel == .batch ? { batchStep(n) } : blasStep
            var cpu: [Double] = [], wall: [Double] = [], losses: [Float] = []
            for i in 0..<(warmup + `repeat`) {
                let c0 = Self.cpuSeconds(), t0 = DispatchTime.now().uptimeNanoseconds
                let l = step()
                let dw = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, dc = Self.cpuSeconds() - c0
                if i >= warmup { cpu.append(dc); wall.append(dw) }
                losses.append(l)
            }
            let r3 = { (v: Double) in (v * 1000).rounded() / 1000 }
            let line: [String: Any] = ["threads": n, "parallel": parallel.rawValue, "cpu_s": cpu.map(r3), "wall_s": wall.map(r3), "audio_s": audio,
                                       "loss": losses.map { Double($0) }]
            let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            fflush(stdout)
        }
    }
}
