// Checkpoints: out/checkpoints/step-NNNNNNN/ holds the model directory files plus optimizer.safetensors and
// trainer.json (training config + TrainerState). Written into a hidden temporary directory and renamed into
// place, so a kill at any moment leaves the previous checkpoints intact; only the newest K are kept.
import Foundation
import Model
import Tensor

public enum Checkpoint {
    static let optimizerFile = "optimizer.safetensors"
    static let stateFile = "trainer.json"

    public static func directory(of out: String) -> String { "\(out)/checkpoints" }

    /// Checkpoint directories of a run, oldest first.
    public static func list(_ out: String) -> [String] {
        let dir = directory(of: out)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasPrefix("step-") }.sorted().map { "\(dir)/\($0)" }
    }

    public static func latest(_ out: String) -> String? { list(out).last }

    struct Saved: Codable {
        var config: TrainingConfig
        var state: TrainerState
    }

    /// Saves the trainer's full state.
    public static func save(_ trainer: Trainer) throws {
        let fm = FileManager.default
        let dir = directory(of: trainer.outDirectory)
        try? fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let name = String(format: "step-%08d", trainer.state.step)
        let tmp = "\(dir)/.tmp-\(name)-\(getpid())"
        try? fm.removeItem(atPath: tmp)
        do {
            try ModelDirectory.save(trainer.model, to: tmp, card: nil, metadata: ["step": String(trainer.state.step)])
            try Safetensors.write(trainer.optimizer.stateTensors(), to: "\(tmp)/\(optimizerFile)")
            try ModelDirectory.atomicWrite(try JSONConfig.encoder().encode(Saved(config: trainer.config, state: trainer.state)),
                                           to: "\(tmp)/\(stateFile)")
        } catch {
            try? fm.removeItem(atPath: tmp)
            throw TrainingError.checkpoint(path: tmp, reason: "could not write checkpoint: \(error)")
        }
        let final = "\(dir)/\(name)"
        try? fm.removeItem(atPath: final)
        guard rename(tmp, final) == 0 else {
            throw TrainingError.checkpoint(path: final, reason: "could not move checkpoint into place: \(String(cString: strerror(errno)))")
        }
        // Keep the newest K (and leave stray temporaries of killed runs to be cleaned here).
        for old in list(trainer.outDirectory).dropLast(trainer.config.keepCheckpoints) { try? fm.removeItem(atPath: old) }
        for stray in ((try? fm.contentsOfDirectory(atPath: dir)) ?? []) where stray.hasPrefix(".tmp-") && !stray.hasSuffix("-\(getpid())") {
            try? fm.removeItem(atPath: "\(dir)/\(stray)")
        }
    }

    /// The element-wise mean of the weights of several checkpoints (or model directories) of one config.
    public static func average(_ paths: [String]) throws -> SpeechRecognizer {
        precondition(!paths.isEmpty, "Checkpoint.average: no checkpoints")
        let first = try ModelDirectory.load(paths[0])
        let sums = first.namedParameters.map { $0.1.data.map(Double.init) }
        var acc = sums
        for path in paths.dropFirst() {
            let m = try ModelDirectory.load(path)
            // A shipped model (with its tuned "decoding") averages with its checkpoints.
            guard m.config.architecture == first.config.architecture else { throw TrainingError.average(path: path, first: paths[0]) }
            for (k, (_, t)) in m.namedParameters.enumerated() { for i in t.data.indices { acc[k][i] += Double(t.data[i]) } }
        }
        let n = Double(paths.count)
        for (k, (_, t)) in first.namedParameters.enumerated() { t.data = acc[k].map { Float($0 / n) } }
        return first
    }

    /// Reads a checkpoint's training config (to rebuild the trainer before loading).
    public static func config(_ path: String) throws -> TrainingConfig {
        try saved(path).config
    }

    static func saved(_ path: String) throws -> Saved {
        guard let data = FileManager.default.contents(atPath: "\(path)/\(stateFile)") else {
            throw TrainingError.checkpoint(path: path, reason: "\(stateFile) is missing")
        }
        let file = "\(path)/\(stateFile)"
        // The config goes through JSONConfig, so fields added since the checkpoint was written take defaults.
        do {
            guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let config = obj["config"], let state = obj["state"] else {
                throw TrainingError.checkpoint(path: file, reason: "needs \"config\" and \"state\"")
            }
            var optional = [String: [String]]()
            for (k, v) in ModelConfig.optionalKeys { optional["model.\(k)"] = v }
            let c = try JSONConfig.decode(TrainingConfig.self, from: JSONSerialization.data(withJSONObject: config),
                                          defaults: TrainingConfig(), optionalKeys: optional, path: file)
            let d = JSONDecoder()
            d.keyDecodingStrategy = .convertFromSnakeCase
            let st = try d.decode(TrainerState.self, from: JSONSerialization.data(withJSONObject: state))
            return Saved(config: c, state: st)
        } catch let e as TrainingError {
            throw e
        } catch {
            throw TrainingError.checkpoint(path: file, reason: "unreadable trainer state: \(error)")
        }
    }

    /// Loads weights, optimizer state and trainer state into `trainer`.
    static func load(_ path: String, into trainer: Trainer) throws {
        let s = try saved(path)
        let loaded: SpeechRecognizer
        do { loaded = try ModelDirectory.load(path) } catch {
            throw TrainingError.checkpoint(path: path, reason: "\(error)")
        }
        guard loaded.config == trainer.model.config else {
            throw TrainingError.checkpoint(path: path, reason: "its model config differs from the training config's model")
        }
        trainer.initialize(from: loaded)
        do {
            let (tensors, _) = try Safetensors.read("\(path)/\(optimizerFile)")
            try trainer.optimizer.loadState(tensors)
        } catch {
            throw TrainingError.checkpoint(path: "\(path)/\(optimizerFile)", reason: "\(error)")
        }
        trainer.restore(state: s.state)
    }
}
