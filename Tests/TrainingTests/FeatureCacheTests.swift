// The feature cache: a second load reads the same features from disk, a damaged cache file is recomputed rather
// than trusted, and a changed audio file or front end gets a new cache entry.
import Features
import Foundation
import Model
import TestSupport
import Training
import XCTest

final class FeatureCacheTests: XCTestCase {
    var dir: URL!
    override func setUp() { dir = TestPaths.tempDirectory("scribe-feature-cache") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func cacheFiles(_ root: String) -> [String] {
        (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".feat") }.sorted()
    }

    func testSecondLoadReadsTheCacheAndDamageIsRecomputed() throws {
        let manifest = try clipManifest(in: dir)
        let config = tinyTrainingConfig(steps: 1).model
        let entries = try Manifest.read(manifest).entries
        let root = dir.appendingPathComponent("cache").path
        let cache = try FeatureCache(directory: root, features: config.features)
        let plain = try Dataset.load(entries, config: config, manifestPath: manifest, raw: true).0
        let first = try Dataset.load(entries, config: config, manifestPath: manifest, raw: true, cache: cache).0
        let files = cacheFiles(root)
        XCTAssertEqual(files.count, entries.count)
        let second = try Dataset.load(entries, config: config, manifestPath: manifest, raw: true, cache: cache).0
        for (a, (b, c)) in zip(plain.examples, zip(first.examples, second.examples)) {
            XCTAssertEqual(a.features, b.features)
            XCTAssertEqual(a.features, c.features)
            XCTAssertEqual(a.seconds, c.seconds, accuracy: 0.011)
        }
        // Damage one file (cut it short) and another (NaN payload): both are recomputed, not trusted.
        let p0 = "\(root)/\(files[0])", p1 = "\(root)/\(files[1])"
        try Data(try Data(contentsOf: URL(fileURLWithPath: p0)).prefix(40)).write(to: URL(fileURLWithPath: p0))
        var d1 = try Data(contentsOf: URL(fileURLWithPath: p1))
        d1.replaceSubrange(12..<16, with: withUnsafeBytes(of: Float.nan) { Data($0) })
        try d1.write(to: URL(fileURLWithPath: p1))
        let third = try Dataset.load(entries, config: config, manifestPath: manifest, raw: true, cache: cache).0
        for (a, b) in zip(plain.examples, third.examples) { XCTAssertEqual(a.features, b.features) }
        XCTAssertEqual(cacheFiles(root), files, "the damaged entries were rewritten in place")

        // Another front end (Kaldi-style) makes new entries beside the old ones.
        var kaldi = config
        kaldi.features = FeatureConfig.kaldi
        let other = try FeatureCache(directory: root, features: kaldi.features)
        _ = try Dataset.load(entries, config: kaldi, manifestPath: manifest, raw: true, cache: other)
        XCTAssertEqual(cacheFiles(root).count, 2 * entries.count)
    }

    func testAChangedAudioFileIsNotServedStaleFeatures() throws {
        let src = TestPaths.repo("audio/yes.wav"), copy = dir.appendingPathComponent("clip.wav").path
        try FileManager.default.copyItem(atPath: src, toPath: copy)
        let manifest = dir.appendingPathComponent("m.jsonl").path
        try "{\"audio_filepath\": \"\(copy)\", \"duration\": 1.0, \"text\": \"yes\"}\n".write(toFile: manifest, atomically: true, encoding: .utf8)
        let config = tinyTrainingConfig(steps: 1).model
        let cache = try FeatureCache(directory: dir.appendingPathComponent("cache").path, features: config.features)
        let before = try Dataset.load(try Manifest.read(manifest).entries, config: config, manifestPath: manifest, raw: true, cache: cache).0
        try FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: TestPaths.repo("audio/no.wav"), toPath: copy)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)], ofItemAtPath: copy)
        let after = try Dataset.load(try Manifest.read(manifest).entries, config: config, manifestPath: manifest, raw: true, cache: cache).0
        let direct = try Dataset.load(try Manifest.read(manifest).entries, config: config, manifestPath: manifest, raw: true).0
        XCTAssertEqual(after.examples[0].features, direct.examples[0].features)
        XCTAssertNotEqual(after.examples[0].features, before.examples[0].features)
    }
}
