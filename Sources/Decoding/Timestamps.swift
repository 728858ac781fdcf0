// Word timings. With a CTC head, each character's frames come from the CTC forced alignment of the hypothesis
// (CTCAligner); otherwise (or when no CTC path exists) each character's time is the centre of mass of its
// attention row. Encoder frames → seconds; a word spans its first to last character; its confidence is the
// geometric mean of its characters' probabilities.
import Foundation
import Model

/// A word with times in seconds (relative to the audio start) and a confidence in [0, 1].
public struct WordTiming: Codable, Equatable, Sendable {
    public var word: String
    public var start: Double
    public var end: Double
    public var confidence: Double
}

public enum Timestamps {
    /// The attention position (in encoder frames) of each row: Σ_j j·α_j.
    public static func positions(_ attention: [[Float]]) -> [Double] {
        attention.map { row in
            var s = 0.0, total = 0.0
            for (j, a) in row.enumerated() { s += Double(j) * Double(a); total += Double(a) }
            return total > 0 ? s / total : 0
        }
    }

    /// Words of `hyp` from `model`: times from the forced alignment under the CTC head's log-probabilities
    /// `ctcLogProbs` [frames, V] (`SpeechRecognizer.ctcLogProbs`) when given and a path exists, else from the attention.
    public static func words(_ hyp: Hypothesis, model: SpeechRecognizer, ctcLogProbs: [Float]?, frames: Int, offset: Double = 0,
                             limit: Double? = nil) -> [WordTiming] {
        let spans = ctcLogProbs.flatMap {
            CTCAligner.align(logProbs: $0, frames: frames, vocabularySize: model.vocabulary.count, tokens: hyp.tokens, blank: Vocabulary.pad)
        }
        return words(hyp, vocabulary: model.vocabulary, frameRate: model.config.encoderFrameRate, offset: offset, ctcSpans: spans, limit: limit)
    }

    /// Words of `hyp` with times, given encoder frames per second and the segment's start time. `ctcSpans`
    /// (one frame range per token, from `CTCAligner`) replaces the attention positions when given.
    /// `limit` (seconds, absolute) caps the times at the audio's end, which the last encoder frame can overrun.
    public static func words(_ hyp: Hypothesis, vocabulary: Vocabulary, frameRate: Double, offset: Double = 0,
                             ctcSpans: [ClosedRange<Int>]? = nil, limit: Double? = nil) -> [WordTiming] {
        let pos = positions(hyp.attention)
        let spans = ctcSpans.flatMap { $0.count == hyp.tokens.count ? $0 : nil }
        func startFrame(_ i: Int) -> Double { spans.map { Double($0[i].lowerBound) } ?? pos[i] }
        func endFrame(_ i: Int) -> Double { spans.map { Double($0[i].upperBound) } ?? pos[i] }
        var words = [WordTiming]()
        var current = "", first = -1, last = -1, logConf = 0.0, n = 0
        func flush() {
            guard !current.isEmpty else { return }
            let cap = limit ?? .infinity
            let start = min(offset + startFrame(first) / frameRate, cap)
            let end = min(offset + (endFrame(last) + 1) / frameRate, cap)
            words.append(WordTiming(word: current, start: start, end: max(end, start), confidence: exp(logConf / Double(max(n, 1)))))
            current = ""; first = -1; logConf = 0; n = 0
        }
        for (i, t) in hyp.tokens.enumerated() {
            let ch = vocabulary.decode([t])
            if ch == " " { flush(); continue }
            if first < 0 { first = i }
            last = i
            current += ch
            logConf += log(max(Double(i < hyp.tokenProbs.count ? hyp.tokenProbs[i] : 1), 1e-12))
            n += 1
        }
        flush()
        return words
    }
}
