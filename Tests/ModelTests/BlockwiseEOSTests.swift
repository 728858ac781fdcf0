// The blockwise search's end-of-block rule: an attention EOS ends the block unless the CTC head hears more speech.
import XCTest
@testable import Decoding
import Features
import Model
import Tensor

final class BlockwiseEOSTests: XCTestCase {
    /// A tiny model whose speller always prefers EOS, then "a"; its CTC head says "a" on every frame.
    private func model() -> SpeechRecognizer {
        var c = tinyConfig()
        c.ctcWeight = 0.5
        let m = SpeechRecognizer(config: c)
        let a = m.vocabulary.encode("a")[0]
        let out = m.speller!.output.bias!
        out.data[Vocabulary.eos] += 50
        out.data[a] += 40
        m.ctcHead!.bias!.data[a] += 50
        return m
    }

    private func partial(_ m: SpeechRecognizer, ctcWeight: Float) -> [Int] {
        var o = BeamOptions(beam: 2)
        o.ctcWeight = ctcWeight
        let search = BlockwiseBeamSearch(model: m, options: o, margin: 0)
        let (x, l) = SpeechRecognizer.batch([randomFeatures(frames: 60, seed: 31)])
        let values = Tensor.withoutGrad { m.encode(x, lengths: l).values }
        search.extend(values: values)
        return search.partial.tokens
    }

    func testEOSEndsTheBlockOnlyWhenTheCTCHeadAgrees() {
        let m = model()
        let a = m.vocabulary.encode("a")[0]
        // Attention alone: EOS at once, the partial stays empty.
        XCTAssertEqual(partial(m, ctcWeight: 0), [])
        // With the CTC head: every frame is "a", so the empty prefix is not complete and the search goes past the
        // EOS; after "a" the CTC output is exactly the prefix, and the EOS ends the block.
        XCTAssertEqual(partial(m, ctcWeight: 0.3), [a])
    }
}
