// Reading and writing the project's JSON configs (model and training): snake_case keys, defaults for missing
// keys (the user's JSON is laid over the encoded defaults), unknown keys rejected by path, and decoding
// errors turned into messages that name the field.
import Foundation

public enum JSONConfig {
    /// Encoder used for every config file: snake_case keys, sorted, pretty-printed.
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return e
    }

    /// Decodes `data` into T: keys missing from the JSON take `defaults`' values; a key that neither the
    /// defaults nor `optionalKeys` (dotted paths of optional fields, with their sub-keys) know is an error.
    public static func decode<T: Codable>(_ type: T.Type, from data: Data, defaults: T, optionalKeys: [String: [String]] = [:],
                                          path: String) throws -> T {
        let raw: Any
        do { raw = try JSONSerialization.jsonObject(with: data) } catch {
            throw ModelError.badConfig(path: path, field: "(file)", reason: "not valid JSON: \(error.localizedDescription)")
        }
        guard let user = raw as? [String: Any] else {
            throw ModelError.badConfig(path: path, field: "(file)", reason: "must be a JSON object")
        }
        let base = try JSONSerialization.jsonObject(with: encoder().encode(defaults)) as! [String: Any]
        try checkKeys(user, known: base, optional: optionalKeys, prefix: "", path: path)
        let merged = merge(base, user)
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try d.decode(T.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch let DecodingError.typeMismatch(_, ctx), let DecodingError.valueNotFound(_, ctx) {
            throw ModelError.badConfig(path: path, field: fieldName(ctx.codingPath), reason: ctx.debugDescription)
        } catch let DecodingError.dataCorrupted(ctx) {
            throw ModelError.badConfig(path: path, field: fieldName(ctx.codingPath), reason: ctx.debugDescription)
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw ModelError.badConfig(path: path, field: fieldName(ctx.codingPath + [key]), reason: "is required")
        }
    }

    static func fieldName(_ path: [CodingKey]) -> String {
        path.map { $0.intValue.map(String.init) ?? snake($0.stringValue) }.joined(separator: ".")
    }

    static func snake(_ s: String) -> String {
        var out = ""
        for (i, ch) in s.enumerated() {
            if ch.isUppercase && i > 0 { out += "_" }
            out += ch.lowercased()
        }
        return out
    }

    static func checkKeys(_ user: [String: Any], known: [String: Any], optional: [String: [String]], prefix: String, path: String) throws {
        for (key, value) in user {
            let dotted = prefix.isEmpty ? key : "\(prefix).\(key)"
            if value is NSNull { continue }
            if let sub = known[key] {
                if let userDict = value as? [String: Any], let knownDict = sub as? [String: Any] {
                    try checkKeys(userDict, known: knownDict, optional: optional, prefix: dotted, path: path)
                }
            } else if let subKeys = optional[dotted] {
                if let userDict = value as? [String: Any] {
                    for k in userDict.keys where !subKeys.contains(k) { throw ModelError.unknownKey(path: path, key: "\(dotted).\(k)") }
                }
            } else {
                throw ModelError.unknownKey(path: path, key: dotted)
            }
        }
    }

    static func merge(_ base: [String: Any], _ user: [String: Any]) -> [String: Any] {
        var out = base
        for (k, v) in user {
            if let b = base[k] as? [String: Any], let u = v as? [String: Any] { out[k] = merge(b, u) } else { out[k] = v }
        }
        return out
    }
}

extension ModelConfig {
    /// Optional fields of a model config, with the keys their objects may hold.
    public static let optionalKeys: [String: [String]] = [
        "features.f_max": [], "encoder.streaming": ["chunk", "lookahead", "mode"],
        "normalization.mean": [], "normalization.std": [], "normalization.online_mean": ["window", "prior_frames"],
    ]

    /// Reads a config.json (missing keys take the reference defaults) and validates it.
    public static func load(_ path: String) throws -> ModelConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw ModelError.io(path: path, reason: "cannot read file") }
        let c = try JSONConfig.decode(ModelConfig.self, from: data, defaults: ModelConfig(), optionalKeys: optionalKeys, path: path)
        try c.validate(path: path)
        return c
    }
}
