// Where tests find the repository, its fixtures and the built `scribe` binary.
import Foundation

public enum TestPaths {
    /// The repository root (the folder holding Package.swift), found from this source file's path.
    public static let repoRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("TestPaths: no Package.swift above \(#filePath)")
    }()

    /// A path inside the repository.
    public static func repo(_ relative: String) -> String { repoRoot.appendingPathComponent(relative).path }

    /// A fresh temporary directory, removed by the caller (or left in /tmp).
    public static func tempDirectory(_ tag: String = "scribe-test") -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(tag)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
