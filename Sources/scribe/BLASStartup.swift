// Makes sure OpenBLAS runs its fast kernels: Debian's OpenBLAS 0.3.21 mistakes recent CPUs for
// `Prescott` (3-5x slower sgemm) unless OPENBLAS_CORETYPE is set before the library loads, so the
// process re-executes itself once with the variable set. Not a BLAS wrapper.
import Foundation
import Tensor

enum BLASStartup {
    /// The OpenBLAS core name for this CPU, from /proc/cpuinfo flags: SKYLAKEX with AVX-512, HASWELL with AVX2.
    static func recommendedCoreType() -> String? {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return nil }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        if flags.contains("avx512f") && flags.contains("avx512bw") && flags.contains("avx512vl") { return "SKYLAKEX" }
        if flags.contains("avx2") && flags.contains("fma") { return "HASWELL" }
        return nil
    }

    /// Re-executes the process with OPENBLAS_CORETYPE set when it is missing. A user's own setting wins;
    /// SCRIBE_NO_REEXEC=1 turns this off; SCRIBE_VERBOSE=1 logs the core OpenBLAS picked.
    static func ensureCoreType() {
        let env = ProcessInfo.processInfo.environment
        defer {
            if env["SCRIBE_VERBOSE"] != nil {
                FileHandle.standardError.write(Data("scribe: OpenBLAS core \(BLAS.coreName()), OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "unset")\n".utf8))
            }
        }
        guard env["OPENBLAS_CORETYPE"] == nil, env["SCRIBE_NO_REEXEC"] == nil,
              let core = recommendedCoreType() else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv("SCRIBE_NO_REEXEC", "1", 1)  // never loop, even if exec of /proc/self/exe misbehaves
        let args = CommandLine.unsafeArgv
        execv("/proc/self/exe", args)
        // exec failed: carry on with the slow kernels rather than not at all.
    }
}
