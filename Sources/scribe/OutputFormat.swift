// Writers for transcription results: plain text, JSON (segments, words, times, confidence, n-best), SRT, VTT.
import ArgumentParser
import Decoding
import Foundation

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, srt, vtt

    var fileExtension: String { rawValue == "text" ? "txt" : rawValue }

    /// The whole document for one input.
    func render(_ segments: [SegmentResult], source: String) -> String {
        switch self {
        case .text:
            return segments.map(\.text).filter { !$0.isEmpty }.joined(separator: " ") + "\n"
        case .json:
            let segs: [[String: Any]] = segments.map { s in
                [
                    "start": round3(s.start), "end": round3(s.end), "text": s.text,
                    "words": s.words.map { ["word": $0.word, "start": round3($0.start), "end": round3($0.end), "confidence": round3($0.confidence)] },
                    "nbest": s.nBest.map { ["text": $0.text, "score": round3(Double($0.score))] },
                ]
            }
            let doc: [String: Any] = ["source": source, "text": segments.map(\.text).filter { !$0.isEmpty }.joined(separator: " "), "segments": segs]
            let data = try! JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self) + "\n"
        case .srt:
            return segments.filter { !$0.text.isEmpty }.enumerated().map { i, s in
                "\(i + 1)\n\(Self.time(s.start, comma: true)) --> \(Self.time(s.end, comma: true))\n\(s.text)\n"
            }.joined(separator: "\n")
        case .vtt:
            return "WEBVTT\n\n" + segments.filter { !$0.text.isEmpty }.map { s in
                "\(Self.time(s.start, comma: false)) --> \(Self.time(s.end, comma: false))\n\(s.text)\n"
            }.joined(separator: "\n")
        }
    }

    static func time(_ t: Double, comma: Bool) -> String {
        let ms = Int((max(t, 0) * 1000).rounded())
        return String(format: "%02d:%02d:%02d%@%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, comma ? "," : ".", ms % 1000)
    }
}

func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
