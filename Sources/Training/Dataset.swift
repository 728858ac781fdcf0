// Utterances ready for training: normalized log-mel features and token ids, loaded once (in parallel over
// the cores) and kept in memory; length-bucketed batches in a seeded, resumable order.
import Audio
import Dispatch
import Features
import Foundation
import Model
import Tensor

/// One training example. features [T, F] (normalized as the model expects); tokens without sos/eos.
public struct Example: Sendable {
    public var id: String
    public var features: FeatureMatrix
    public var tokens: [Int]
    public var text: String
    public var seconds: Double
    /// Who speaks (the manifest's "voice" or "speaker"), when known.
    public var voice: String?

    public init(id: String, features: FeatureMatrix, tokens: [Int], text: String, seconds: Double, voice: String? = nil) {
        self.id = id; self.features = features; self.tokens = tokens; self.text = text; self.seconds = seconds
        self.voice = voice
    }
}

public struct Dataset: Sendable {
    public var examples: [Example]

    public init(examples: [Example]) { self.examples = examples }

    public var seconds: Double { examples.reduce(0) { $0 + $1.seconds } }

    /// Loads every entry's audio and computes features with `config`'s front end and normalization (reading and
    /// filling `cache` when given).
    /// Utterances whose text normalizes to nothing are reported by line and skipped. With `raw`, features
    /// are left unnormalized (see `normalized(with:)` and `globalStatistics()`).
    public static func load(_ entries: [ManifestEntry], config: ModelConfig, manifestPath: String,
                            threads: Int = 2, raw: Bool = false, cache: FeatureCache? = nil,
                            progress: ((Int) -> Void)? = nil) throws -> (Dataset, skipped: [String]) {
        let lock = NSLock()
        var done = 0
        let box = IndexedResults<Result<Example?, Error>>(count: entries.count)
        DispatchQueue.concurrentPerform(iterations: max(threads, 1)) { worker in
            var i = worker
            while i < entries.count {
                let e = entries[i]
                let r: Result<Example?, Error> = Result {
                    let tokens = config.vocabulary.encode(e.text)
                    guard !tokens.isEmpty else { return nil }
                    let computed: FeatureMatrix
                    if let cached = cache?.load(e.audioPath) {
                        computed = cached
                    } else {
                        let samples = try AudioReader.load(e.audioPath)
                        computed = try LogMelExtractor.compute(samples, config: config.features)
                        cache?.store(computed, for: e.audioPath)
                    }
                    let feats = raw ? computed : config.normalization.apply(computed)
                    return Example(id: e.id, features: feats, tokens: tokens, text: config.vocabulary.decode(tokens),
                                   seconds: Double(max(computed.frames - (config.features.center ? 1 : 0), 0) * config.features.hopLength)
                                       / Double(config.features.sampleRate),  // to the hop
                                   voice: e.voice)
                }
                box.set(i, r)
                lock.lock(); done += 1; let d = done; lock.unlock()
                if d % 200 == 0 { progress?(d) }
                i += max(threads, 1)
            }
        }
        let results = box.values.map { $0 ?? .success(nil) }
        var examples = [Example](), skipped = [String]()
        for (i, r) in results.enumerated() {
            switch r {
            case .success(let ex?): examples.append(ex)
            case .success(nil): skipped.append("\(manifestPath):\(entries[i].line): text is empty after normalization")
            case .failure(let err): throw TrainingError.manifest(path: manifestPath, line: entries[i].line, reason: "\(err)")
            }
        }
        return (Dataset(examples: examples), skipped)
    }

    /// Per-band mean and standard deviation over every frame (for global normalization).
    public func globalStatistics() -> (mean: [Float], std: [Float]) {
        var stats = FeatureStats(dim: examples.first?.features.dim ?? 80)
        for e in examples { stats.accumulate(e.features) }
        return (stats.mean, stats.std.map { max($0, 1e-3) })
    }

    /// The dataset with `normalization` applied to every utterance's (raw) features.
    public func normalized(with normalization: NormalizationConfig) -> Dataset {
        var out = self
        for i in out.examples.indices { out.examples[i].features = normalization.apply(out.examples[i].features) }
        return out
    }

    /// Batches for one epoch: examples sorted by length into buckets of ≤ `maxFrames` padded frames (and ≤
    /// `maxBatch` utterances), the batch order shuffled by `seed` and `epoch` — or, with `shortestFirst`, from the
    /// shortest batch to the longest (a curriculum that helps attention learn to align). Deterministic.
    public func batches(maxFrames: Int, maxBatch: Int, seed: UInt64, epoch: Int, shortestFirst: Bool = false) -> [[Int]] {
        var rng = RNG(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
        // Shuffle first so equal lengths mix, then a stable sort by length.
        var order = Array(examples.indices)
        order.shuffle(using: &rng)
        order = order.enumerated().sorted { (a, b) in
            let la = examples[a.element].features.frames, lb = examples[b.element].features.frames
            return la != lb ? la < lb : a.offset < b.offset
        }.map(\.element)
        var out = [[Int]](), current = [Int]()
        for i in order {
            let longest = max(current.map { examples[$0].features.frames }.max() ?? 0, examples[i].features.frames)
            if !current.isEmpty && (longest * (current.count + 1) > maxFrames || current.count >= maxBatch) {
                out.append(current)
                current = []
            }
            current.append(i)
        }
        if !current.isEmpty { out.append(current) }
        if !shortestFirst { out.shuffle(using: &rng) }
        return out
    }
}
