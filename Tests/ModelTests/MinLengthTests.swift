// The minLength knob of GreedySearch and BeamSearch (EOS suppressed until a hypothesis has that many tokens),
// on a scripted decoder whose most likely token is always EOS. Not a test of the model: no weights involved.
import Decoding
import Model
import XCTest

/// Every step gives the same log-probs: EOS `eos` (0.6), token 4 `token` (0.3), the rest share what is left.
/// Attention is uniform over the frames, or with `marching`, all on frame k at step k (the last frame once past the
/// end). State: steps taken.
struct EagerEOSDecoder: StepDecoder {
    let vocabularySize = 30
    var frames = 4
    var eos: Float = 0.6
    var token: Float = 0.3
    var marching = false
    func initialState(hypotheses: Int) -> Int { 0 }
    func step(_ tokens: [Int], _ state: Int) -> (logProbs: [Float], attention: [Float], state: Int) {
        var row = [Float](repeating: log((1 - eos - token) / 28), count: vocabularySize)
        row[Vocabulary.eos] = log(eos)
        row[4] = log(token)
        var attention = [Float](repeating: marching ? 0 : 1 / Float(frames), count: frames)
        if marching { attention[min(state, frames - 1)] = 1 }
        let b = tokens.count
        return (Array([[Float]](repeating: row, count: b).joined()),
                Array([[Float]](repeating: attention, count: b).joined()), state + 1)
    }
    func reorder(_ state: Int, _ indices: [Int]) -> Int { state }
}

final class MinLengthTests: XCTestCase {
    func testGreedyEmitsAtLeastMinLengthTokens() {
        var greedy = GreedySearch()
        XCTAssertEqual(greedy.decode(EagerEOSDecoder()).tokens, [])               // default: EOS at once
        greedy.minLength = 5
        let h = greedy.decode(EagerEOSDecoder())
        XCTAssertEqual(h.tokens, [4, 4, 4, 4, 4])
        XCTAssertEqual(h.attention.count, 6)                                      // 5 tokens + the EOS step
    }

    func testBeamEndsNoHypothesisBeforeMinLength() {
        var options = BeamOptions(beam: 3)
        options.nBest = 3
        XCTAssertEqual(BeamSearch(options: options).decode(EagerEOSDecoder()).first?.tokens, [])
        options.minLength = 5
        let hyps = BeamSearch(options: options).decode(EagerEOSDecoder())
        XCTAssertEqual(hyps.first?.tokens, [4, 4, 4, 4, 4])
        XCTAssertTrue(hyps.allSatisfy { $0.tokens.count >= 5 }, "\(hyps.map(\.tokens.count))")
    }

    func testMinLengthAtTheLengthLimitRunsExactlyThatManySteps() {
        var greedy = GreedySearch(maxLengthRatio: 0)
        greedy.maxLengthConstant = 7
        greedy.minLength = 7
        XCTAssertEqual(greedy.decode(EagerEOSDecoder()).tokens.count, 7)
        var options = BeamOptions(beam: 3)
        (options.maxLengthRatio, options.maxLengthConstant, options.minLength, options.repetitionGuard) = (0, 7, 7, 0)
        XCTAssertEqual(BeamSearch(options: options).decode(EagerEOSDecoder()).first?.tokens.count, 7)
    }
}
