// Results of work spread over threads (DispatchQueue.concurrentPerform), each written into its own slot and
// read back in input order once the work is done: the segments of long-form transcription, the utterances of
// `scribe eval`, the features of a training manifest.
import Foundation

/// `count` slots, each set once from any thread; `values` in index order (nil for a slot never set).
public final class IndexedResults<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Value?]

    public init(count: Int) { slots = Array(repeating: nil, count: count) }

    public func set(_ index: Int, _ value: Value) {
        lock.lock(); defer { lock.unlock() }
        slots[index] = value
    }

    public var values: [Value?] {
        lock.lock(); defer { lock.unlock() }
        return slots
    }
}
