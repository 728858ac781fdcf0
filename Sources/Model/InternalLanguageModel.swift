// The attention decoder's internal language model, estimated by running its LSTM speller with the attention context
// held at zero (Meng et al. 2021, "Internal Language Model Estimation for Domain-Adaptive End-to-End Speech
// Recognition": the zero-attention ILM of an attention encoder-decoder). An attention speller trained on a corpus's
// transcripts learns a prior over their character sequences; shallow fusion adds an external LM's prior on top.
// Subtracting κ × ln P_ILM (density-ratio style) leaves room for the external LM: score = ... + μ ln P_LM − κ ln P_ILM.
import Foundation
import NN
import Tensor

/// ln P_ILM(token | history) of an LSTM speller with a zero context vector: s_i = LSTM([emb(y_{i−1}); 0], s_{i−1}),
/// logits = Linear([s_i; 0]). It depends on the characters alone, not on the audio, so one instance serves every
/// utterance and every thread; the states of the histories asked for are cached (history → h, c [H] and
/// log-probs [V]), each computed from its parent's in one LSTM step.
public final class InternalLanguageModel: TokenLanguageModel, @unchecked Sendable {
    public let speller: Speller
    /// V, the speller's output width.
    public var classes: Int { speller.output.outFeatures }
    /// Cached histories before the cache is emptied (memory stays bounded: about 2H + V floats and the history
    /// each, some 3 KB for the default model, so 150 MB at the default 50,000).
    public let capacity: Int
    private let lock = NSLock()
    private var cache: [[Int]: Entry] = [:]

    struct Entry {
        var h: Tensor       // [1, H]
        var c: Tensor       // [1, H]
        var logProbs: [Float]
    }

    /// - Parameters:
    ///   - speller: the recognizer's LSTM speller (its weights are read, not copied).
    ///   - capacity: cached histories kept before the cache is emptied.
    public init(speller: Speller, capacity: Int = 50_000) {
        self.speller = speller
        self.capacity = capacity
    }

    public func logProb(_ token: Int, after history: [Int]) -> Float { entry(history).logProbs[token] }

    public func logProbs(_ tokens: [Int], after history: [Int]) -> [Float] {
        let lp = entry(history).logProbs
        return tokens.map { lp[$0] }
    }

    /// The log-probabilities [V] of the next token after `history` (all V tokens, as the speller's softmax gives them).
    public func distribution(after history: [Int]) -> [Float] { entry(history).logProbs }

    private func entry(_ history: [Int]) -> Entry {
        lock.lock()
        if let e = cache[history] { lock.unlock(); return e }
        lock.unlock()
        // The parent's state (recursively from the cache), then one step with the history's last token.
        let (h, c): (Tensor, Tensor)
        let previous: Int
        if let last = history.last {
            let parent = entry(Array(history.dropLast()))
            (h, c, previous) = (parent.h, parent.c, last)
        } else {
            (h, c, previous) = (Tensor.zeros([1, speller.hidden]), Tensor.zeros([1, speller.hidden]), Vocabulary.sos)
        }
        let e: Entry = Tensor.withoutGrad {
            let input = Tensor.concat([speller.embedding([previous]), Tensor.zeros([1, speller.contextDim])], axis: 1)
            let (h1, c1) = speller.cell.cell(input, h: h, c: c)
            let logits = speller.output(Tensor.concat([h1, Tensor.zeros([1, speller.contextDim])], axis: 1))
            return Entry(h: h1, c: c1, logProbs: logits.logSoftmax().data)
        }
        lock.lock()
        if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
        cache[history] = e
        lock.unlock()
        return e
    }
}
