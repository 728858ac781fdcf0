// Errors of the Model target: model directories, configs and weights, each naming the file and field.
import Foundation

public enum ModelError: Error, CustomStringConvertible {
    case missingFile(directory: String, file: String)
    case badConfig(path: String, field: String, reason: String)
    case unknownKey(path: String, key: String)
    case formatVersion(path: String, found: Int, supported: Int)
    case weights(path: String, reason: String)
    case weightShape(path: String, name: String, expected: [Int], got: [Int])
    case missingWeight(path: String, name: String)
    case io(path: String, reason: String)
    case languageModel(path: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let dir, let file):
            return "\(dir): not a model directory: \(file) is missing (a model directory holds config.json, model.safetensors and README.md)"
        case .badConfig(let path, let field, let reason): return "\(path): field '\(field)': \(reason)"
        case .unknownKey(let path, let key): return "\(path): unknown key '\(key)' (misspelled? `scribe train --print-config` lists every key, a model's config.json under \"model\")"
        case .formatVersion(let path, let found, let supported):
            return "\(path): model format version \(found), this scribe reads version \(supported). HINT: use a scribe built for that format, or retrain/convert the model"
        case .weights(let path, let reason): return "\(path): \(reason)"
        case .weightShape(let path, let name, let expected, let got):
            return "\(path): tensor '\(name)' has shape \(got), the config needs \(expected)"
        case .missingWeight(let path, let name): return "\(path): tensor '\(name)' is missing"
        case .io(let path, let reason): return "\(path): \(reason)"
        case .languageModel(let path, let reason): return "\(path): language model: \(reason)"
        }
    }
}
