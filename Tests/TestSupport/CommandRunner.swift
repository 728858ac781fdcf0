// Runs the real `scribe` executable (built beside the test bundle) with arguments and optional stdin,
// capturing exit status and output, with a time limit so a hang fails the test instead of the suite.
import Foundation

public struct CommandResult {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var timedOut: Bool
}

public enum CommandRunner {
    /// Writing to a child that exited early must not kill the test process.
    private static let ignoreSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// The `scribe` binary: $SCRIBE_BIN, else the one beside the running test bundle.
    public static var scribePath: String {
        if let p = ProcessInfo.processInfo.environment["SCRIBE_BIN"] { return p }
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [bundleDir, bundleDir.deletingLastPathComponent()] {
            let candidate = dir.appendingPathComponent("scribe").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return TestPaths.repo(".build/debug/scribe")
    }

    /// Runs scribe with `arguments`, feeding `stdin` bytes (or closing stdin at once when nil).
    public static func scribe(_ arguments: [String], stdin: Data? = nil, timeout: TimeInterval = 120,
                              environment: [String: String] = [:]) throws -> CommandResult {
        try run(scribePath, arguments, stdin: stdin, timeout: timeout, environment: environment)
    }

    /// Runs `executable` in `directory` (default: the repository root).
    public static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil, timeout: TimeInterval = 120,
                           environment: [String: String] = [:], directory: URL? = nil) throws -> CommandResult {
        _ = ignoreSIGPIPE
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.currentDirectoryURL = directory ?? TestPaths.repoRoot
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
        p.standardOutput = outPipe
        p.standardError = errPipe
        p.standardInput = inPipe
        // Each reader fills its own box; group.wait() below orders those writes before the reads.
        let outData = OutputBox(), errData = OutputBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outData.bytes = outPipe.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData.bytes = errPipe.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        try p.run()
        DispatchQueue.global().async {
            if let stdin { try? inPipe.fileHandleForWriting.write(contentsOf: stdin) }
            try? inPipe.fileHandleForWriting.close()
        }
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while p.isRunning {
            if Date() > deadline { p.terminate(); timedOut = true; break }
            usleep(10_000)
        }
        p.waitUntilExit()
        group.wait()
        return CommandResult(status: p.terminationStatus, stdout: String(decoding: outData.bytes, as: UTF8.self),
                             stderr: String(decoding: errData.bytes, as: UTF8.self), timedOut: timedOut)
    }
}

/// What one pipe reader collected; written by its reader thread only, read after the readers are done.
private final class OutputBox: @unchecked Sendable {
    var bytes = Data()
}
