// A reusable FFTW single-precision real-to-complex transform with its own aligned buffers. Plans are made
// with FFTW_ESTIMATE (MEASURE costs 0.2-0.4 s per size here for no gain) under a lock, with FFTW's
// thread-safe planner switched on, so extractors can be created from several threads.
import CFFTW
import Foundation

private let plannerLock = NSLock()
private let plannerThreadSafe: Void = { fftwf_make_planner_thread_safe() }()

/// Power spectrum of a real frame: input [n], output [n/2 + 1].
public final class RealFFT {
    public let size: Int
    /// Input buffer (aligned, `size` floats); fill it, then call `powerSpectrum`.
    public let input: UnsafeMutablePointer<Float>
    private let output: UnsafeMutablePointer<fftwf_complex>
    private let plan: fftwf_plan

    public init(size: Int) {
        self.size = size
        _ = plannerThreadSafe
        input = fftwf_alloc_real(size)!
        output = fftwf_alloc_complex(size / 2 + 1)!
        input.initialize(repeating: 0, count: size)
        plannerLock.lock()
        plan = fftwf_plan_dft_r2c_1d(Int32(size), input, output, UInt32(FFTW_ESTIMATE))!
        plannerLock.unlock()
    }

    deinit {
        plannerLock.lock()
        fftwf_destroy_plan(plan)
        plannerLock.unlock()
        fftwf_free(input)
        fftwf_free(output)
    }

    /// Transforms `input` and writes |X_k|² for k in 0...size/2 into `power`.
    public func powerSpectrum(into power: UnsafeMutablePointer<Float>) {
        fftwf_execute(plan)
        output.withMemoryRebound(to: Float.self, capacity: size + 2) { c in
            for k in 0...(size / 2) {
                let re = c[2 * k], im = c[2 * k + 1]
                power[k] = re * re + im * im
            }
        }
    }
}
