// The internal language model (the LSTM speller with a zero attention context) and its subtraction in beam search.
import Decoding
import Model
import NN
import Tensor
import XCTest

final class InternalLanguageModelTests: XCTestCase {
    /// With an all-zero encoder output every attention context is zero, whatever the weights, so stepping the real
    /// decoder over it gives exactly the internal LM's distributions.
    func testEqualsTheDecoderStepsOverAZeroMemory() {
        let model = SpeechRecognizer(config: tinyConfig())
        let ilm = InternalLanguageModel(speller: model.speller!)
        let tokens = model.vocabulary.encode("abc d")
        let e = model.config.encoderOutputDim
        var state = model.initialState(values: Tensor.zeros([1, 7, e]), length: 7)
        var previous = Vocabulary.sos
        for i in 0...tokens.count {
            let out = model.step([previous], state: state)
            let expected = out.logProbs
            let got = ilm.distribution(after: Array(tokens[..<i]))
            XCTAssertEqual(got.count, model.vocabulary.count)
            for k in 0..<expected.count { XCTAssertEqual(got[k], expected[k], accuracy: 1e-5, "step \(i), token \(k)") }
            XCTAssertEqual(ilm.logProbs([tokens.first!, Vocabulary.eos], after: Array(tokens[..<i])),
                           [got[tokens.first!], got[Vocabulary.eos]])
            if i < tokens.count { previous = tokens[i] }
            state = out.state
        }
        // A distribution over the vocabulary.
        let p = ilm.distribution(after: tokens).reduce(0) { $0 + exp(Double($1)) }
        XCTAssertEqual(p, 1, accuracy: 1e-4)
    }

    /// The cache is an optimization only: a capacity of 2 (emptied all the time) gives the same numbers.
    func testSmallCacheGivesTheSameValues() {
        let model = SpeechRecognizer(config: tinyConfig())
        let big = InternalLanguageModel(speller: model.speller!)
        let small = InternalLanguageModel(speller: model.speller!, capacity: 2)
        let tokens = model.vocabulary.encode("hello there")
        for i in [5, 0, 11, 3, 11, 7] {
            XCTAssertEqual(small.distribution(after: Array(tokens[..<i])), big.distribution(after: Array(tokens[..<i])))
        }
    }

    /// `prepare` (one batched step for a beam's new histories) gives the values the one-by-one path gives, with
    /// histories of different lengths, a repeat, and a cache so small that parents are evicted in between.
    func testPreparedBatchEqualsOneByOne() {
        let model = SpeechRecognizer(config: tinyConfig())
        let tokens = model.vocabulary.encode("hello there")
        for capacity in [8_192, 1] {
            let batched = InternalLanguageModel(speller: model.speller!, capacity: capacity)
            let single = InternalLanguageModel(speller: model.speller!)
            for n in 0...tokens.count {
                let histories = [Array(tokens[..<n]), Array(tokens.prefix(max(n - 1, 0))) + [tokens[0]], Array(tokens[..<n])]
                batched.prepare(histories)
                for h in histories {
                    let a = batched.distribution(after: h), b = single.distribution(after: h)
                    XCTAssertEqual(a.count, b.count)
                    for k in a.indices { XCTAssertEqual(a[k], b[k], accuracy: 1e-5, "capacity \(capacity), history \(h), token \(k)") }
                }
            }
        }
    }

    /// Subtracting κ × an LM in the search is adding κ × its negation: same hypotheses, same scores.
    func testSubtractionIsFusionOfTheNegatedModel() {
        struct Fixed: TokenLanguageModel {
            let classes = 30
            let sign: Float
            func logProb(_ token: Int, after history: [Int]) -> Float {
                sign * log(Float(1 + (token * 7 + history.count * 3) % 11) / 12)
            }
        }
        var fused = BeamOptions(beam: 3)
        fused.repetitionGuard = 0
        fused.languageModel = Fixed(sign: -1)
        fused.lmWeight = 0.4
        var subtracted = BeamOptions(beam: 3)
        subtracted.repetitionGuard = 0
        subtracted.internalLM = Fixed(sign: 1)
        subtracted.ilmWeight = 0.4
        let decoder = EagerEOSDecoder(frames: 6, eos: 0.3, token: 0.2, marching: true)
        let a = BeamSearch(options: fused).decode(decoder), b = BeamSearch(options: subtracted).decode(decoder)
        XCTAssertEqual(a.map(\.tokens), b.map(\.tokens))
        XCTAssertEqual(a.map(\.logProb), b.map(\.logProb))
        // And it changes the search: without it the result differs in score.
        var plain = BeamOptions(beam: 3)
        plain.repetitionGuard = 0
        XCTAssertNotEqual(BeamSearch(options: plain).decode(decoder).first?.logProb, b.first?.logProb)
    }
}
