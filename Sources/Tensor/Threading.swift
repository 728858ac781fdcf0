// Threading: the one place that decides how many threads Tensor uses. BLAS gets the count through
// openblas_set_num_threads; large elementwise kernels split over DispatchQueue.concurrentPerform.
// A piece of work uses one level or the other, never both (no BLAS call runs inside parallelFor).
import CBLAS
import Dispatch

public enum Threading {
    nonisolated(unsafe) public private(set) static var threads = 1
    /// Elementwise kernels below this many elements stay on the calling thread.
    public static let parallelThreshold = 1 << 16

    /// Sets the thread count for BLAS and for the parallel elementwise kernels (1 = single-threaded).
    public static func configure(threads n: Int) {
        precondition(n >= 1, "Threading.configure: thread count \(n) must be at least 1")
        threads = n
        openblas_set_num_threads(Int32(n))
        HeapTuning.keepFreedMemory()
    }

    /// Calls `body(range)` over `0..<count` split into at most `threads` contiguous chunks, in
    /// parallel when `count` reaches `parallelThreshold` (scaled by `cost`, the work per element).
    public static func parallelFor(_ count: Int, cost: Int = 1, _ body: (Range<Int>) -> Void) {
        let chunks = min(threads, max(1, count * cost / parallelThreshold))
        if chunks <= 1 || count < 2 { body(0..<count); return }
        let per = (count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * per, hi = min(count, lo + per)
            if lo < hi { body(lo..<hi) }
        }
    }
}

/// A raw pointer that may cross into concurrentPerform's closures (each chunk writes its own range).
public struct SendablePointer<T>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<T>
    public init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}
