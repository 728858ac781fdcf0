// The streaming log-mel extractor: feed samples in chunks of any size, get exactly the frames the
// whole-signal computation gives. Per frame: (DC removal, pre-emphasis) → window → FFT → |X|² → mel → log.
import Foundation

/// Computes log-mel frames incrementally. Input: 16 kHz (config rate) samples in any chunk sizes.
/// Output: rows of `config.nMels` values appended to a caller's array, shape [T, nMels] row-major.
public final class LogMelExtractor {
    public let config: FeatureConfig
    public let filterbank: MelFilterbank
    private let window: [Float]
    private let fft: RealFFT
    private var power: [Float]
    /// Samples not yet consumed, in padded coordinates starting at `bufferStart`.
    private var buffer: [Float] = []
    private var bufferStart = 0
    /// Padded-coordinate start of the next frame.
    private var nextFrameStart = 0
    /// Real (unpadded) samples received.
    public private(set) var samplesSeen = 0
    /// Frames emitted so far.
    public private(set) var framesEmitted = 0
    private var finished = false

    public init(config: FeatureConfig = .librosa) throws {
        try config.validate()
        self.config = config
        filterbank = MelFilterbank(config: config)
        window = Self.makeWindow(config.window, length: config.winLength)
        fft = RealFFT(size: config.nFFT)
        power = [Float](repeating: 0, count: config.nFFT / 2 + 1)
        if config.center { buffer = [Float](repeating: 0, count: config.winLength / 2) }
    }

    /// Window coefficients of `length` samples.
    public static func makeWindow(_ kind: WindowKind, length n: Int) -> [Float] {
        (0..<n).map { i in
            let x = Double(i)
            switch kind {
            case .hann: return Float(0.5 - 0.5 * cos(2 * Double.pi * x / Double(n)))
            case .povey: return Float(pow(0.5 - 0.5 * cos(2 * Double.pi * x / Double(n - 1)), 0.85))
            case .hamming: return Float(0.54 - 0.46 * cos(2 * Double.pi * x / Double(n - 1)))
            }
        }
    }

    /// Feeds samples; appends every frame that is now complete to `out` and returns how many.
    @discardableResult
    public func accept(_ samples: UnsafeBufferPointer<Float>, into out: inout [Float]) -> Int {
        precondition(!finished, "LogMelExtractor.accept after finish()")
        samplesSeen += samples.count
        if config.inputScale == 1 {
            buffer.append(contentsOf: samples)
        } else {
            let s = config.inputScale
            buffer.append(contentsOf: samples.lazy.map { $0 * s })
        }
        return drain(into: &out)
    }

    /// Array convenience for `accept(_:into:)`.
    @discardableResult
    public func accept(_ samples: [Float], into out: inout [Float]) -> Int {
        samples.withUnsafeBufferPointer { accept($0, into: &out) }
    }

    /// Ends the stream: pads the tail (centre mode) and appends the last frames. Returns how many.
    @discardableResult
    public func finish(into out: inout [Float]) -> Int {
        guard !finished else { return 0 }
        finished = true
        guard config.center else { return 0 }
        let total = config.frameCount(samples: samplesSeen)
        buffer.append(contentsOf: [Float](repeating: 0, count: config.winLength / 2))
        return drain(into: &out, limit: total)
    }

    private func drain(into out: inout [Float], limit: Int = Int.max) -> Int {
        let win = config.winLength, hop = config.hopLength
        var emitted = 0
        while framesEmitted < limit && nextFrameStart + win <= bufferStart + buffer.count {
            let offset = nextFrameStart - bufferStart
            buffer.withUnsafeBufferPointer { b in computeFrame(UnsafeBufferPointer(rebasing: b[offset..<(offset + win)]), into: &out) }
            framesEmitted += 1
            emitted += 1
            nextFrameStart += hop
        }
        let drop = min(nextFrameStart - bufferStart, buffer.count)
        if drop > 0 && drop >= 4096 || drop == buffer.count {
            buffer.removeFirst(drop)
            bufferStart += drop
        }
        return emitted
    }

    private func computeFrame(_ frame: UnsafeBufferPointer<Float>, into out: inout [Float]) {
        let c = config, win = c.winLength, input = fft.input
        for i in 0..<win { input[i] = frame[i] }
        if c.removeDCOffset {
            var mean: Float = 0
            for i in 0..<win { mean += input[i] }
            mean /= Float(win)
            for i in 0..<win { input[i] -= mean }
        }
        if c.preemphasis != 0 {
            let p = c.preemphasis
            for i in stride(from: win - 1, to: 0, by: -1) { input[i] -= p * input[i - 1] }
            input[0] -= p * input[0]
        }
        for i in 0..<win { input[i] *= window[i] }
        for i in win..<c.nFFT { input[i] = 0 }
        power.withUnsafeMutableBufferPointer { fft.powerSpectrum(into: $0.baseAddress!) }
        let floor = c.logFloor
        power.withUnsafeBufferPointer { p in
            for m in 0..<c.nMels {
                let w = filterbank.weights[m], s = filterbank.start[m]
                var acc: Float = 0
                for j in 0..<w.count { acc += w[j] * p[s + j] }
                out.append(Foundation.log(max(acc, floor)))
            }
        }
    }

    /// Log-mel of a whole signal: [T, nMels].
    public static func compute(_ samples: [Float], config: FeatureConfig = .librosa) throws -> FeatureMatrix {
        let ex = try LogMelExtractor(config: config)
        var out = [Float]()
        out.reserveCapacity(config.frameCount(samples: samples.count) * config.nMels)
        ex.accept(samples, into: &out)
        ex.finish(into: &out)
        return FeatureMatrix(frames: out.count / config.nMels, dim: config.nMels, data: out)
    }
}
