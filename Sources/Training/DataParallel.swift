// DataParallel: one training step's forward and backward split over shards of the batch, one shard per thread, each
// shard on its own replica of the model with single-threaded BLAS; the replicas' gradients are then added into the
// master model's. On this 2-core machine it beats BLAS threads inside each op, whose small recurrent GEMMs
// ([B, H] · [H, 4H] per frame) scale poorly (bench/run train). One level of parallelism: the caller keeps
// `Threading` at one thread while shards run.
import Dispatch
import Model
import Tensor

public final class DataParallel {
    /// models[0] is the master (the model the optimizer updates); models[1...] are its replicas.
    public let models: [SpeechRecognizer]

    /// `shards` ≥ 1 models: `master` and `shards − 1` replicas built from its config (their weights are copied in
    /// before every step).
    public init(master: SpeechRecognizer, shards: Int) {
        precondition(shards >= 1, "DataParallel: \(shards) shards")
        models = [master] + (1..<shards).map { _ in SpeechRecognizer(config: master.config) }
    }

    public var shards: Int { models.count }

    /// Splits `count` items into `parts` contiguous ranges whose sizes differ by at most one (the first ones
    /// larger); empty ranges are dropped.
    public static func split(_ count: Int, parts: Int) -> [Range<Int>] {
        let n = max(1, min(parts, count))
        var out: [Range<Int>] = [], lo = 0
        for k in 0..<n {
            let size = count / n + (k < count % n ? 1 : 0)
            out.append(lo..<(lo + size))
            lo += size
        }
        return out.filter { !$0.isEmpty }
    }

    /// Runs `loss(k, models[k])` for shards k = 0..<n (n ≤ shards) at once, one thread each, back-propagates each
    /// result (a scalar already weighted so that the shards' results add up to the batch's loss), and adds the
    /// replicas' gradients into the master's, in shard order (so a run is deterministic). Returns each shard's
    /// `loss` result after backward (their values stay readable).
    /// - Precondition: `Threading.threads == 1`, so no op starts threads of its own inside a shard.
    public func step(shards n: Int, _ loss: @escaping (Int, SpeechRecognizer) -> Tensor) -> [Tensor] {
        precondition(n >= 1 && n <= shards, "DataParallel.step: \(n) shards for \(shards) models")
        precondition(Threading.threads == 1, "DataParallel.step: Threading must be at 1 thread (it is at \(Threading.threads))")
        let master = models[0].parameters
        for k in 1..<n { for (dst, src) in zip(models[k].parameters, master) { dst.data = src.data; dst.zeroGrad() } }
        let results = IndexedResults<Tensor>(count: n)
        DispatchQueue.concurrentPerform(iterations: n) { k in
            let l = loss(k, models[k])
            l.backward()
            results.set(k, l)
        }
        for k in 1..<n {
            for (dst, src) in zip(master, models[k].parameters) {
                guard let g = src.grad else { continue }
                dst.addGrad(g)
                src.zeroGrad()
            }
        }
        return results.values.map { $0! }
    }
}
