// Raw (unnormalized) log-mel features of training audio kept on disk between runs, as ESPnet and Kaldi dump
// features once: a training start or resume then reads ~3.5 GB for the 30-hour corpus instead of decoding and
// transforming every file again. One file per utterance, named by a hash of the audio path, its size and
// modification time and the front-end config, so a changed file or front end never reuses stale features.
// Files are written atomically; an unreadable or mismatched file is recomputed, never trusted.
import Features
import Foundation
import Model

public struct FeatureCache: Sendable {
    public let directory: String
    let configKey: String
    static let magic: UInt32 = 0x4643_5253   // "SRCF" little-endian

    /// A cache in `directory` (created when missing) for features computed with `features`.
    public init(directory: String, features: FeatureConfig) throws {
        self.directory = directory
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        configKey = String(decoding: try enc.encode(features), as: UTF8.self)
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw TrainingError.io(path: directory, reason: "cannot create the feature cache: \(error.localizedDescription)")
        }
    }

    /// 64-bit FNV-1a, stable across runs and platforms (Swift's Hasher is seeded per process).
    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    /// The cache file for `audioPath` as it is now (nil if the audio cannot be stat'ed).
    func file(for audioPath: String) -> String? {
        guard let a = try? FileManager.default.attributesOfItem(atPath: audioPath),
              let size = a[.size] as? NSNumber, let date = a[.modificationDate] as? Date else { return nil }
        let key = "\(audioPath)|\(size)|\(date.timeIntervalSince1970)|\(configKey)"
        let h = Self.fnv1a(key)
        let name = String(h, radix: 16)
        return "\(directory)/\(name.prefix(2))/\(name).feat"
    }

    /// The cached features of `audioPath`, or nil when absent, stale or unreadable.
    public func load(_ audioPath: String) -> FeatureMatrix? {
        guard let path = file(for: audioPath), let data = FileManager.default.contents(atPath: path), data.count >= 12 else { return nil }
        return data.withUnsafeBytes { raw -> FeatureMatrix? in
            let magic = raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
            let frames = Int(raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            let dim = Int(raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
            guard magic == Self.magic, dim > 0, data.count == 12 + frames * dim * 4 else { return nil }
            let values = [Float](unsafeUninitializedCapacity: frames * dim) { buf, n in
                _ = raw[12...].copyBytes(to: buf)
                n = frames * dim
            }
            guard values.allSatisfy(\.isFinite) else { return nil }
            return FeatureMatrix(frames: frames, dim: dim, data: values)
        }
    }

    /// Stores `features` of `audioPath` (best effort: a failed write only costs a recomputation next time).
    public func store(_ features: FeatureMatrix, for audioPath: String) {
        guard let path = file(for: audioPath) else { return }
        var data = Data(capacity: 12 + features.data.count * 4)
        for v in [Self.magic, UInt32(features.frames), UInt32(features.dim)] { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        features.data.withUnsafeBytes { data.append(contentsOf: $0) }
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? ModelDirectory.atomicWrite(data, to: path)
    }
}
