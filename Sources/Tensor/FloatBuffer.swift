// FloatBuffer: an owned, uninitialized-then-zeroed block of floats for kernels that keep state
// between forward and backward (LSTM) and want raw pointers without nested withUnsafe… closures.
import Foundation

final class FloatBuffer {
    let p: UnsafeMutablePointer<Float>
    let count: Int

    init(zeros count: Int) {
        self.count = count
        p = .allocate(capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
    }

    init(_ values: [Float]) {
        count = values.count
        p = .allocate(capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
        values.withUnsafeBufferPointer { if count > 0 { p.update(from: $0.baseAddress!, count: count) } }
    }

    deinit { p.deallocate() }

    var array: [Float] { Array(UnsafeBufferPointer(start: p, count: count)) }
}
