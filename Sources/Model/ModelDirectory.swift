// A model on disk: a directory with config.json (ModelConfig), model.safetensors (weights by parameter name)
// and README.md (the model card). Saving is atomic per file (temp + rename) and the directory is replaced last.
import Foundation
import Tensor

public enum ModelDirectory {
    public static let configFile = "config.json"
    public static let weightsFile = "model.safetensors"
    public static let cardFile = "README.md"

    /// Writes `model` to `directory` (created if needed). `card` is the model card; a generated summary if nil.
    public static func save(_ model: SpeechRecognizer, to directory: String, card: String? = nil, metadata: [String: String] = [:]) throws {
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw ModelError.io(path: directory, reason: "cannot create directory: \(error.localizedDescription)")
        }
        let config = try JSONConfig.encoder().encode(model.config)
        try atomicWrite(config, to: "\(directory)/\(configFile)")
        var tensors = [String: Tensor]()
        for (name, t) in model.namedParameters { tensors[name] = t }
        var meta = metadata
        meta["format"] = "scribe"
        meta["format_version"] = String(ModelConfig.currentFormatVersion)
        do { try Safetensors.write(tensors, metadata: meta, to: "\(directory)/\(weightsFile)") } catch {
            throw ModelError.io(path: "\(directory)/\(weightsFile)", reason: "\(error)")
        }
        let cardPath = "\(directory)/\(cardFile)"
        if let card {
            try atomicWrite(Data(card.utf8), to: cardPath)
        } else if !fm.fileExists(atPath: cardPath) {
            try atomicWrite(Data(ModelSummary(model: model).markdown().utf8), to: cardPath)
        }
    }

    /// Loads a model directory, checking every file, the config and each tensor's shape.
    public static func load(_ directory: String) throws -> SpeechRecognizer {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw ModelError.io(path: directory, reason: "no such model directory")
        }
        for file in [configFile, weightsFile] where !fm.fileExists(atPath: "\(directory)/\(file)") {
            throw ModelError.missingFile(directory: directory, file: file)
        }
        let config = try ModelConfig.load("\(directory)/\(configFile)")
        let model = SpeechRecognizer(config: config)
        let weightsPath = "\(directory)/\(weightsFile)"
        let file: SafetensorsFile
        do { file = try SafetensorsFile(path: weightsPath) } catch {
            throw ModelError.weights(path: weightsPath, reason: "\(error)")
        }
        let expected = Set(model.namedParameters.map(\.0))
        // A speaker classifier's weights are training-only: a config without one (speaker_classes 0) ignores them.
        for name in file.names where !expected.contains(name)
            && !(config.speakerClasses == 0 && name.hasPrefix(SpeakerClassifier.scope + ".")) {
            throw ModelError.weights(path: weightsPath, reason: "unexpected tensor '\(name)': the weights do not belong to this config")
        }
        for (name, param) in model.namedParameters {
            guard let entry = file.entries[name] else { throw ModelError.missingWeight(path: weightsPath, name: name) }
            guard entry.shape == param.shape else {
                throw ModelError.weightShape(path: weightsPath, name: name, expected: param.shape, got: entry.shape)
            }
            let t: Tensor
            do { t = try file.tensor(name) } catch { throw ModelError.weights(path: weightsPath, reason: "\(error)") }
            param.data = t.data
        }
        return model
    }

    /// Writes `data` to `path` through a temporary file and rename, so a reader never sees half a file.
    public static func atomicWrite(_ data: Data, to path: String) throws {
        let tmp = "\(path).tmp-\(getpid())"
        do {
            try data.write(to: URL(fileURLWithPath: tmp))
        } catch {
            throw ModelError.io(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
        if rename(tmp, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw ModelError.io(path: path, reason: "cannot move into place: \(reason)")
        }
    }
}
