// Hour-long audio: voice-activity detection splits the input into speech segments as it is read (memory holds
// one open segment), segments are decoded (on up to `threads` cores) and come out in order with times.
import Audio
import Dispatch
import Foundation
import Model
import Tensor

/// One decoded segment with absolute times.
public struct SegmentResult: Sendable {
    public var start: Double
    public var end: Double
    public var text: String
    public var words: [WordTiming]
    /// n-best texts with scores (best first).
    public var nBest: [(text: String, score: Float)]
}

public struct LongFormTranscriber {
    public let transcriber: Transcriber
    public var vad = EnergyVAD.Options()
    /// Segments decoded at once (BLAS should then be single-threaded).
    public var threads = 1
    /// Inputs up to this long are decoded whole, without VAD.
    public var wholeUpTo: Double = 20

    public init(transcriber: Transcriber) { self.transcriber = transcriber }

    /// Reads `reader` to the end; calls `emit` with each segment's result in order.
    public func run(_ reader: AudioReader, emit: (SegmentResult) throws -> Void) throws {
        let detector = EnergyVAD(options: vad)
        var buffer = [Float]()        // samples from `bufferStart` on
        var bufferStart = 0
        var queue = [(SpeechSegment, [Float])]()
        func take(_ s: SpeechSegment) {
            let a = max(s.start - bufferStart, 0), b = min(s.end - bufferStart, buffer.count)
            queue.append((s, a < b ? Array(buffer[a..<b]) : []))
            // Samples before this segment's end are no longer needed.
            let drop = max(0, min(s.end, bufferStart + buffer.count) - bufferStart - Int(vad.padding * Double(vad.sampleRate)))
            buffer.removeFirst(drop)
            bufferStart += drop
        }
        func drain(force: Bool) throws {
            while queue.count >= threads || (force && !queue.isEmpty) {
                let batch = Array(queue.prefix(threads))
                queue.removeFirst(batch.count)
                for r in try decode(batch) { try emit(r) }
            }
        }
        // Short inputs are decoded whole; past `wholeUpTo` seconds the VAD takes over from the first sample.
        let wholeLimit = Int(wholeUpTo * Double(vad.sampleRate))
        var splitting = false
        while let chunk = try reader.nextChunk() {
            buffer += chunk
            if !splitting {
                guard buffer.count > wholeLimit else { continue }
                splitting = true
                for s in detector.accept(buffer) { take(s) }
            } else {
                for s in detector.accept(chunk) { take(s) }
            }
            // In silence nothing before the VAD's earliest possible segment start is kept: memory stays flat.
            let drop = min(max(0, detector.earliestNeededSample - bufferStart), buffer.count)
            if drop > 16_000 {
                buffer.removeFirst(drop)
                bufferStart += drop
            }
            try drain(force: false)
        }
        if !splitting {
            // Decoded whole, but only if the VAD hears speech: silence and noise give an empty transcript.
            // Lenient here (a short clip may hold one quiet word): 2 voiced frames above -60 dB suffice.
            var lenient = vad
            lenient.minVoicedFrames = 2
            lenient.absoluteFloorDB = -60
            let check = EnergyVAD(options: lenient)
            let heard = !check.accept(buffer).isEmpty || !check.finish().isEmpty
            queue.append((SpeechSegment(start: 0, end: buffer.count), heard ? buffer : []))
            try drain(force: true)
            return
        }
        for s in detector.finish() { take(s) }
        try drain(force: true)
    }

    func decode(_ batch: [(SpeechSegment, [Float])]) throws -> [SegmentResult] {
        let rate = Double(vad.sampleRate)
        let slots = IndexedResults<Result<SegmentResult, Error>>(count: batch.count)
        DispatchQueue.concurrentPerform(iterations: batch.count) { i in
            let (seg, samples) = batch[i]
            slots.set(i, Result {
                let start = Double(seg.start) / rate
                guard samples.count >= 1600 else {  // under 0.1 s: nothing to say
                    return SegmentResult(start: start, end: Double(seg.end) / rate, text: "", words: [], nBest: [])
                }
                let t = try transcriber.transcribe(samples: samples)
                let words = t.words(model: transcriber.model, offset: start)
                let nBest = t.hypotheses.map { (transcriber.model.vocabulary.decode($0.tokens), $0.score) }
                return SegmentResult(start: start, end: start + Double(samples.count) / rate, text: t.text, words: words, nBest: nBest)
            })
        }
        return try slots.values.map { try $0!.get() }
    }
}
