// `scribe bench` (hidden): times one training step (forward + backward, no optimizer) of the reference
// encoders for bench/lstm.sh and bench/transformer.sh, at each thread count asked for; one JSON line per count.
// Not a benchmark harness: the PyTorch side and the comparison are in the bench scripts.
import ArgumentParser
import Foundation
import NN
import Tensor

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time forward+backward of the reference encoders (for bench/*.sh).",
        discussion: """
            lstm: 3-layer bidirectional LSTM, 256 units per direction, input 640. \
            transformer: Linear 640 → 256, × 16 + sinusoidal positions, 6 pre-LN layers (4 heads, FF 1024), final \
            LayerNorm, padding mask. Input [batch, frames, 640] without gradient; backward from a fixed random \
            seed gradient of the output; parameter gradients cleared before every step. Prints \
            {"model", "threads", "ms_per_step" (median wall time), "runs", "cpu_runs" (process CPU time)} per \
            thread count.
            """,
        shouldDisplay: false)

    enum Model: String, ExpressibleByArgument { case lstm, transformer }

    @Argument(help: "lstm or transformer.")
    var model: Model

    @Option(help: "Thread counts to time, comma-separated.")
    var threads: String = "1"

    @Option(help: "Timed steps per thread count.")
    var `repeat`: Int = 5

    @Option(help: "Untimed steps first.")
    var warmup: Int = 1

    @Option(help: "Batch size.")
    var batch: Int = 16

    @Option(help: "Frames per sequence.")
    var frames: Int = 200

    func validate() throws {
        guard threadCounts.allSatisfy({ $0 >= 1 }) && !threadCounts.isEmpty else {
            throw ValidationError("--threads must be positive integers separated by commas, got '\(threads)'")
        }
        guard `repeat` >= 1, warmup >= 0, batch >= 1, frames >= 1 else {
            throw ValidationError("--repeat, --batch and --frames must be at least 1, --warmup at least 0")
        }
    }

    var threadCounts: [Int] { threads.split(separator: ",").map { Int($0) ?? 0 } }

    func run() throws {
        var rng = RNG(seed: 7)
        let input = 640
        let step: () -> Void
        let parameters: [Tensor]
        let x = Tensor.randn([batch, frames, input], rng: &rng)              // [B, T, 640], no gradient
        let lengths = [Int](repeating: frames, count: batch)
        switch model {
        case .lstm:
            let layers = (0..<3).map { BiLSTMLayer(input: $0 == 0 ? input : 512, hidden: 256, rng: &rng) }
            parameters = layers.flatMap(\.parameters)
            let seed = Tensor.randn([batch, frames, 512], rng: &rng).data
            step = {
                var h = x
                for layer in layers { h = layer(h, lengths: lengths) }         // [B, T, 512]
                h.backward(seed: seed)
            }
        case .transformer:
            let encoder = TransformerEncoder(inputDim: input, dim: 256, heads: 4, feedForward: 1024, layers: 6, rng: &rng)
            parameters = encoder.parameters
            let seed = Tensor.randn([batch, frames, 256], rng: &rng).data
            step = { encoder(x, lengths: lengths).backward(seed: seed) }     // [B, T, 256]
        }
        for n in threadCounts {
            Threading.configure(threads: n)
            var runs: [Double] = [], cpuRuns: [Double] = []
            for i in 0..<(warmup + `repeat`) {
                for p in parameters { p.zeroGrad() }
                let t0 = DispatchTime.now().uptimeNanoseconds, c0 = Self.cpuMilliseconds()
                step()
                let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6, cpu = Self.cpuMilliseconds() - c0
                if i >= warmup { runs.append(ms); cpuRuns.append(cpu) }
            }
            let median = runs.sorted()[runs.count / 2]
            let line: [String: Any] = ["model": model.rawValue, "threads": n, "ms_per_step": (median * 10).rounded() / 10,
                                       "runs": runs.map { ($0 * 10).rounded() / 10 },
                                       "cpu_runs": cpuRuns.map { ($0 * 10).rounded() / 10 }]
            let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            fflush(stdout)
        }
    }

    /// CPU time of the whole process (all threads), in milliseconds.
    static func cpuMilliseconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) / 1e6
    }
}
