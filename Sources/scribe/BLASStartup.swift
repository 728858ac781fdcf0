// Makes sure OpenBLAS runs its fast kernels: Debian's OpenBLAS 0.3.21 mistakes recent CPUs for
// `Prescott` (3-5x slower sgemm) unless OPENBLAS_CORETYPE is set before the library loads, so the
// process re-executes itself once with the variable set. Not a BLAS wrapper.
import Foundation
import Tensor

enum BLASStartup {
    /// This CPU's flags from /proc/cpuinfo (nil when unreadable).
    static func cpuFlags() -> Set<String>? {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return nil }
        return Set(flagsLine.split(separator: " ").map(String.init))
    }

    /// The OpenBLAS core name for CPU flags: SKYLAKEX with AVX-512, HASWELL with AVX2.
    static func recommendedCoreType(flags: Set<String>) -> String? {
        if flags.contains("avx512f") && flags.contains("avx512bw") && flags.contains("avx512vl") { return "SKYLAKEX" }
        if flags.contains("avx2") && flags.contains("fma") { return "HASWELL" }
        return nil
    }

    /// OpenBLAS cores whose kernels use AVX-512: on a CPU without it they die of an illegal instruction.
    static let avx512Cores: Set<String> = ["SKYLAKEX", "COOPERLAKE", "SAPPHIRERAPIDS"]

    /// Re-executes the process with OPENBLAS_CORETYPE set when it is missing, or replaced when it names AVX-512
    /// kernels on a CPU without AVX-512. Otherwise a user's own setting wins;
    /// SCRIBE_NO_REEXEC=1 turns this off; SCRIBE_VERBOSE=1 logs the core OpenBLAS picked.
    static func ensureCoreType() {
        let env = ProcessInfo.processInfo.environment
        defer {
            if env["SCRIBE_VERBOSE"] != nil {
                FileHandle.standardError.write(Data("scribe: OpenBLAS core \(BLAS.coreName()), OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "unset")\n".utf8))
            }
        }
        guard env["SCRIBE_NO_REEXEC"] == nil, let flags = cpuFlags() else { return }
        let core = recommendedCoreType(flags: flags)
        if let asked = env["OPENBLAS_CORETYPE"] {
            // A user's setting wins, unless it names AVX-512 kernels this CPU cannot run (a copied environment, a
            // machine swapped under a script): that would crash inside OpenBLAS on the first matrix product.
            guard avx512Cores.contains(asked.uppercased()), !flags.contains("avx512f") else { return }
            FileHandle.standardError.write(Data("scribe: OPENBLAS_CORETYPE=\(asked) needs AVX-512, which this CPU lacks; using \(core ?? "OpenBLAS's own choice")\n".utf8))
        } else if core == nil {
            return
        }
        if let core { setenv("OPENBLAS_CORETYPE", core, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
        setenv("SCRIBE_NO_REEXEC", "1", 1)  // never loop, even if exec of /proc/self/exe misbehaves
        let args = CommandLine.unsafeArgv
        execv("/proc/self/exe", args)
        // exec failed: carry on with the slow kernels rather than not at all.
    }
}
