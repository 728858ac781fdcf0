// Streaming sample-rate conversion to 16 kHz with libsoxr at high quality (SOXR_HQ), mono float in and out.
import CSoxr
import Foundation

/// Converts a mono float stream from `inputRate` to `outputRate`, chunk by chunk.
public final class Resampler {
    public let inputRate: Int
    public let outputRate: Int
    private var soxr: soxr_t?
    private var out = [Float]()

    public init(inputRate: Int, outputRate: Int = AudioLimits.targetRate) throws {
        self.inputRate = inputRate
        self.outputRate = outputRate
        var error: soxr_error_t?
        var io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        var quality = soxr_quality_spec(UInt(SOXR_HQ), 0)
        var runtime = soxr_runtime_spec(1)  // one thread: parallelism is decided above this level
        soxr = soxr_create(Double(inputRate), Double(outputRate), 1, &error, &io, &quality, &runtime)
        if let error { throw AudioError.resampler(reason: String(cString: error)) }
    }

    deinit { soxr_delete(soxr) }

    /// Resamples `input` (pass an empty buffer with `flush: true` at end of stream) and returns the output
    /// produced so far.
    public func process(_ input: UnsafeBufferPointer<Float>, flush: Bool = false) throws -> [Float] {
        var result = [Float]()
        let ratio = Double(outputRate) / Double(inputRate)
        let capacity = Int(Double(input.count) * ratio) + 1024
        if out.count < capacity { out = [Float](repeating: 0, count: capacity) }
        var consumed = 0
        repeat {
            var idone = 0, odone = 0
            let remaining = input.count - consumed
            let err: soxr_error_t? = out.withUnsafeMutableBufferPointer { o in
                if flush && remaining == 0 {
                    return soxr_process(soxr, nil, 0, nil, o.baseAddress, o.count, &odone)
                }
                return soxr_process(soxr, input.baseAddress.map { $0 + consumed }, remaining, &idone,
                                    o.baseAddress, o.count, &odone)
            }
            if let err { throw AudioError.resampler(reason: String(cString: err)) }
            consumed += idone
            result.append(contentsOf: out[0..<odone])
            if flush && remaining == 0 && odone == 0 { break }
            if !flush && consumed >= input.count { break }
            if !flush && idone == 0 && odone == 0 { break }
        } while true
        return result
    }
}
