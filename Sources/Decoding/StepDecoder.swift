// The one decoding contract every search uses (SpeechBrain's seq2seq pattern): an initial state for N
// hypotheses, step(previous tokens, state) → (log-probs, attention, state), and reorder(state, indices).
import Model
import Tensor

/// A decoder that can be stepped one output token at a time for a batch of hypotheses.
public protocol StepDecoder {
    associatedtype State
    /// V, the number of output classes.
    var vocabularySize: Int { get }
    /// Encoder frames the attention covers (T').
    var frames: Int { get }
    /// State for `hypotheses` identical starting hypotheses.
    func initialState(hypotheses: Int) -> State
    /// tokens [B] → log-probs [B·V] and attention weights [B·T'] (row-major) and the new state.
    func step(_ tokens: [Int], _ state: State) -> (logProbs: [Float], attention: [Float], state: State)
    /// Row i of the result is row indices[i] of `state`.
    func reorder(_ state: State, _ indices: [Int]) -> State
}

/// The recognizer's speller bound to one utterance's encoder output.
public struct UtteranceDecoder: StepDecoder {
    public let model: SpeechRecognizer
    /// Encoder output [1, T', E].
    public let values: Tensor
    public let frames: Int

    public init(model: SpeechRecognizer, values: Tensor, length: Int) {
        self.model = model
        self.values = values
        self.frames = length
    }

    public var vocabularySize: Int { model.vocabulary.count }

    public func initialState(hypotheses: Int) -> DecodingState {
        Tensor.withoutGrad { model.initialState(values: values, length: frames, hypotheses: hypotheses) }
    }

    public func step(_ tokens: [Int], _ state: DecodingState) -> (logProbs: [Float], attention: [Float], state: DecodingState) {
        let out = model.step(tokens, state: state)
        return (out.logProbs, out.attention, out.state)
    }

    public func reorder(_ state: DecodingState, _ indices: [Int]) -> DecodingState { model.reorder(state, indices: indices) }
}
