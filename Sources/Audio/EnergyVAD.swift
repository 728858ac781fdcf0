// Voice-activity detection and endpointing by frame energy: splits long audio into speech segments at
// pauses, so hour-long files decode segment by segment with flat memory, and streams finalize at silences.
import Foundation

/// A speech segment in samples [start, end).
public struct SpeechSegment: Equatable, Sendable {
    public var start: Int
    public var end: Int
    public init(start: Int, end: Int) { self.start = start; self.end = end }
}

/// Energy-based VAD with an adaptive noise floor. Works incrementally: feed samples, collect closed segments.
public final class EnergyVAD {
    public struct Options: Sendable {
        /// Analysis frame (10 ms at 16 kHz).
        public var frame = 160
        /// Speech when frame energy exceeds the noise floor by this many dB (and the absolute floor).
        public var thresholdDB: Float = 12
        public var absoluteFloorDB: Float = -55
        /// A pause this long ends a segment.
        public var minSilence: Double = 0.5
        /// Segments longer than this are cut at their quietest frame in the last `cutWindow` seconds.
        public var maxSegment: Double = 20
        public var cutWindow: Double = 4
        /// Padding kept around speech.
        public var padding: Double = 0.2
        /// A segment needs this many voiced frames (loud, zero-crossing rate below `voicedZCR`), so that
        /// steady hiss or white noise is not taken for speech.
        public var minVoicedFrames = 8
        public var voicedZCR: Float = 0.25
        public var sampleRate = 16_000
        public init() {}
    }

    public let options: Options
    private var noiseDB: Float = -60
    private var samplesSeen = 0
    private var pending = [Float]()              // samples not yet a whole frame
    private var frameDB = [Float]()              // energies of frames since `frameBase`
    private var frameBase = 0                    // index of frameDB[0]
    private var speechStart: Int?                // frame index where the open segment began
    private var lastSpeech = -1                  // last frame index with speech
    private var voiced = 0                       // voiced frames in the open segment
    public private(set) var segments = [SpeechSegment]()
    /// Whether a segment with enough voiced frames to count as speech is open.
    public var inSpeech: Bool { speechStart != nil && voiced >= options.minVoicedFrames }
    /// The first sample a segment closed later could start at: the open segment's start minus padding, or (in
    /// silence) the current position minus padding. Samples before it are no longer needed.
    public var earliestNeededSample: Int {
        let pad = Int(options.padding * Double(options.sampleRate))
        if let start = speechStart { return max(0, start * options.frame - pad) }
        return max(0, samplesSeen - pending.count - pad)
    }
    /// Segments closed so far, including loud stretches rejected as noise (a stream resets at each).
    public private(set) var endpoints = 0
    /// Where the segment that the last `accept` cut for length (no pause within `maxSegment`) ended, in samples;
    /// speech goes on from there in a new open segment. nil when that call cut nothing.
    public private(set) var lastCut: Int?

    public init(options: Options = Options()) { self.options = options }

    /// Feeds samples; returns segments closed by this call.
    @discardableResult
    public func accept(_ samples: [Float]) -> [SpeechSegment] {
        pending += samples
        lastCut = nil
        let f = options.frame
        var closed = [SpeechSegment]()
        var offset = 0
        while pending.count - offset >= f {
            var e: Float = 0
            var crossings = 0
            for i in offset..<(offset + f) {
                e += pending[i] * pending[i]
                if i > offset && (pending[i] >= 0) != (pending[i - 1] >= 0) { crossings += 1 }
            }
            let db = 10 * log10(e / Float(f) + 1e-10)
            offset += f
            frameDB.append(db)
            let index = frameBase + frameDB.count - 1
            // The floor follows quiet frames quickly and loud frames slowly.
            noiseDB = db < noiseDB ? 0.9 * noiseDB + 0.1 * db : 0.999 * noiseDB + 0.001 * db
            let speech = db > max(noiseDB + options.thresholdDB, options.absoluteFloorDB)
            if speech {
                if speechStart == nil { speechStart = index; voiced = 0 }
                lastSpeech = index
                if Float(crossings) / Float(f) < options.voicedZCR { voiced += 1 }
            }
            if let s = closeIfDue(index: index) {
                endpoints += 1
                if voiced >= options.minVoicedFrames { closed.append(s) }
            }
        }
        pending.removeFirst(offset)
        samplesSeen += samples.count
        segments += closed
        return closed
    }

    /// Ends the input; returns the last segment if one is open.
    public func finish() -> [SpeechSegment] {
        guard let start = speechStart else { return [] }
        endpoints += 1
        guard voiced >= options.minVoicedFrames else { speechStart = nil; return [] }
        let s = segment(fromFrame: start, toFrame: lastSpeech + 1, limit: samplesSeen)
        speechStart = nil
        segments.append(s)
        return [s]
    }

    private func closeIfDue(index: Int) -> SpeechSegment? {
        guard let start = speechStart else {
            trim(keepFrom: index - Int(options.padding * 100))
            return nil
        }
        let fps = Double(options.sampleRate) / Double(options.frame)
        if Double(index - lastSpeech) >= options.minSilence * fps {
            speechStart = nil
            let s = segment(fromFrame: start, toFrame: lastSpeech + 1, limit: Int.max)
            trim(keepFrom: index)
            return s
        }
        if Double(index - start) >= options.maxSegment * fps {
            // Cut at the quietest frame of the last cutWindow seconds.
            let from = max(start + 1, index - Int(options.cutWindow * fps))
            var cut = index
            var quiet = Float.infinity
            for i in from...index where frameDB[i - frameBase] < quiet { quiet = frameDB[i - frameBase]; cut = i }
            let s = SpeechSegment(start: max(0, start * options.frame - Int(options.padding * Double(options.sampleRate))), end: cut * options.frame)
            speechStart = cut
            lastCut = s.end
            return s
        }
        return nil
    }

    private func segment(fromFrame a: Int, toFrame b: Int, limit: Int) -> SpeechSegment {
        let pad = Int(options.padding * Double(options.sampleRate))
        return SpeechSegment(start: max(0, a * options.frame - pad), end: min(b * options.frame + pad, max(limit, b * options.frame)))
    }

    private func trim(keepFrom frame: Int) {
        let drop = frame - frameBase
        guard drop > 1000 else { return }
        frameDB.removeFirst(drop)
        frameBase += drop
    }
}
