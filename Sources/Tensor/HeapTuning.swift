// HeapTuning: keeps freed tensor storage in the process heap for reuse. Every op returns fresh storage, and a
// training step frees and re-allocates hundreds of MB in MB-sized arrays; with glibc's defaults each of those
// is a fresh mmap whose pages fault in zeroed (about a third of a step's CPU time went to the kernel).
#if canImport(Glibc)
import Glibc
#endif

public enum HeapTuning {
    nonisolated(unsafe) private static var applied = false

    /// Large blocks come from the heap (mmap only from 32 MiB, glibc's maximum threshold) and freed memory
    /// is not trimmed back to the OS, so the next step's arrays reuse mapped pages. Idempotent; a no-op
    /// without glibc. `Threading.configure` calls it (every training or decoding run configures threads).
    public static func keepFreedMemory() {
        guard !applied else { return }
        applied = true
        #if canImport(Glibc)
        // <malloc.h> is not in the Glibc module: look mallopt up. M_TRIM_THRESHOLD −1, M_TOP_PAD −2, M_MMAP_THRESHOLD −3.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let sym = dlsym(nil, "mallopt") else { return }   // nil = RTLD_DEFAULT
        let mallopt = unsafeBitCast(sym, to: Mallopt.self)
        _ = mallopt(-3, 32 << 20)
        _ = mallopt(-1, Int32.max)
        _ = mallopt(-2, 64 << 20)
        #endif
    }
}
