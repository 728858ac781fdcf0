// Convolutional front of the encoder: two 3×3 Conv2d + ReLU, both stride 2 along frequency; along time both
// stride 2 (4× fewer frames, 100 → 25 per second, the reference model) or the second stride 1 (2×, 50 per second).
// 80 mel bins → 20, flattened to channels × 20 per frame (the reference model's 640).
import Tensor

/// x: [B, T, F] → [B, T', C·F'] with F' = ⌊(⌊(F−1)/2⌋+1 −1)/2⌋+1, and T' likewise (time reduction 4) or
/// T' = ⌊(T−1)/2⌋+1 (time reduction 2).
public final class ConvSubsampling: Layer {
    public let conv1w: Tensor, conv1b: Tensor, conv2w: Tensor, conv2b: Tensor
    public let channels: Int
    public let inputDim: Int
    /// Input frames per output frame: 4 (both convolutions stride 2 in time) or 2 (the second stride 1).
    public let timeReduction: Int

    /// `timeReduction` must be 2 or 4; it changes no weight shape, so one set of weights serves both.
    public init(inputDim: Int, channels: Int = 32, timeReduction: Int = 4, rng: inout RNG) {
        precondition(timeReduction == 2 || timeReduction == 4, "ConvSubsampling: time reduction \(timeReduction), expected 2 or 4")
        self.channels = channels
        self.inputDim = inputDim
        self.timeReduction = timeReduction
        conv1w = parameter(Initializer.glorotUniform([channels, 1, 3, 3], rng: &rng))
        conv1b = parameter(Tensor.zeros([channels]))
        conv2w = parameter(Initializer.glorotUniform([channels, channels, 3, 3], rng: &rng))
        conv2b = parameter(Tensor.zeros([channels]))
    }

    public var namedParameters: [(String, Tensor)] {
        [("conv1.weight", conv1w), ("conv1.bias", conv1b), ("conv2.weight", conv2w), ("conv2.bias", conv2b)]
    }

    /// Length after one stride-2, kernel-3, padding-1 convolution.
    public static func reduce(_ n: Int) -> Int { n <= 0 ? 0 : (n - 1) / 2 + 1 }

    /// Output frames for `frames` input frames at time reduction 4 (and, since frequency is always reduced
    /// twice, output bins for `frames` mel bins).
    public static func outputLength(_ frames: Int) -> Int { reduce(reduce(frames)) }

    /// Output frames for `frames` input frames at `timeReduction` 2 or 4.
    public static func outputLength(_ frames: Int, timeReduction: Int) -> Int {
        timeReduction == 2 ? reduce(frames) : reduce(reduce(frames))
    }

    /// Stride of the second convolution along time.
    public var secondTimeStride: Int { timeReduction / 2 }

    /// Feature size per output frame.
    public var outputDim: Int { channels * Self.outputLength(inputDim) }

    /// With `lengths`, conv1 outputs past each sequence's end are zeroed, so a padded batch row equals the
    /// sequence run alone (the second conv then sees zero padding, not ReLU(bias)).
    public func callAsFunction(_ x: Tensor, lengths: [Int]? = nil) -> Tensor {
        let b = x.shape[0], t = x.shape[1], f = x.shape[2]
        precondition(f == inputDim, "ConvSubsampling: input dim \(f), expected \(inputDim) (shape \(x.shape))")
        var y = x.reshaped([b, 1, t, f])                                                    // [B, 1, T, F]
        y = Tensor.conv2d(y, weight: conv1w, bias: conv1b, stride: (2, 2), padding: (1, 1)).relu()  // [B, C, T/2, F/2]
        if let lengths, lengths.contains(where: { Self.reduce($0) < y.shape[2] }) {
            let t1 = y.shape[2]
            var keep = [Float](repeating: 0, count: b * t1)
            for i in 0..<b { for j in 0..<min(Self.reduce(lengths[i]), t1) { keep[i * t1 + j] = 1 } }
            y = y * Tensor(shape: [b, 1, t1, 1], data: keep)
        }
        y = Tensor.conv2d(y, weight: conv2w, bias: conv2b, stride: (secondTimeStride, 2), padding: (1, 1)).relu()  // [B, C, T', F/4]
        let t2 = y.shape[2], f2 = y.shape[3]
        return y.permuted([0, 2, 1, 3]).reshaped([b, t2, channels * f2])                    // [B, T', C·F']
    }
}
