// The coverage penalty of BeamSearch (GNMT: + β Σ_j log(min(Σ_i α_ij, 1))) on a scripted decoder whose attention
// moves one frame per step (EagerEOSDecoder, marching). Not a test of the model: no weights involved.
import Decoding
import Model
import XCTest

final class CoveragePenaltyTests: XCTestCase {
    func options(coverage: Float) -> BeamOptions {
        var o = BeamOptions(beam: 2)
        (o.lengthPenalty, o.repetitionGuard, o.coveragePenalty) = (0, 0, coverage)
        return o
    }

    func testWithoutCoveragePenaltyTheLikeliestEndingWins() {
        XCTAssertEqual(BeamSearch(options: options(coverage: 0)).decode(EagerEOSDecoder(frames: 6, eos: 0.5, token: 0.4, marching: true)).first?.tokens, [])
    }

    /// Ending after 5 tokens (6 attention steps with the EOS) covers every frame; any earlier ending leaves frames
    /// at log(1e-6) each, far below 5 × log 0.4. The search must not stop early on the partial coverage of the
    /// live hypotheses, which only grows.
    func testCoveragePenaltyKeepsSearchingUntilEveryFrameIsCovered() {
        let best = BeamSearch(options: options(coverage: 1)).decode(EagerEOSDecoder(frames: 6, eos: 0.5, token: 0.4, marching: true)).first
        XCTAssertEqual(best?.tokens, [4, 4, 4, 4, 4])
        XCTAssertEqual(best?.attention.count, 6)
    }
}
