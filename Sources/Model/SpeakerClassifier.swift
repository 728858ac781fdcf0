// The speaker classifier of speaker-adversarial training (Meng et al. 2018, "Speaker-invariant training via
// adversarial learning"): a frame-level MLP over the encoder output that names who is speaking. The trainer feeds it
// through a gradient reversal, so the classifier learns to tell the voices apart while the encoder learns to make
// that impossible. Inference never runs it.
import NN
import Tensor

/// Encoder frames [N, E] → speaker logits [N, S] through Linear(E, H) → ReLU → Linear(H, S).
public final class SpeakerClassifier: Layer {
    /// The prefix of its weights in a model's safetensors ("speaker.hidden.weight", ...).
    public static let scope = "speaker"
    public let hidden: Linear, output: Linear

    public init(input: Int, hidden width: Int, classes: Int, rng: inout RNG) {
        hidden = Linear(input, width, rng: &rng)
        output = Linear(width, classes, rng: &rng)
    }

    public var namedParameters: [(String, Tensor)] { scoped("hidden", hidden) + scoped("output", output) }

    /// Frames [..., E] → logits [..., S].
    public func callAsFunction(_ x: Tensor) -> Tensor { output(hidden(x).relu()) }
}
