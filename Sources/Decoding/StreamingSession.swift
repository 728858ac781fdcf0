// The streaming pipeline behind `scribe stream`: 16 kHz samples in as they arrive → streaming log-mel →
// normalization → streaming encoder (latency-controlled BiLSTM chunks or a chunked Transformer with cached keys
// and values; models without a chunk spec re-encode the open segment) → blockwise synchronous beam search →
// partial events; an energy endpoint (or end of input) closes the segment with a final event carrying word
// times. Silence alone produces no events.
import Audio
import Features
import Foundation
import Model
import NN
import Tensor

/// What the session reports.
public enum StreamEvent: Sendable {
    case partial(text: String, start: Double)
    case final(text: String, start: Double, end: Double, words: [WordTiming])
}

/// How a segment's final result is decoded.
public enum FinalPass: String, Sendable, CaseIterable {
    /// Two-pass: the whole segment again with the full-context encoder and the offline beam search (what
    /// `scribe transcribe` gives for that audio); partials stay streaming.
    case full
    /// The blockwise search finishes over the streaming encoder's output.
    case streaming
}

public final class StreamingSession {
    public let model: SpeechRecognizer
    public let options: BeamOptions
    /// Audio between partial updates, in seconds.
    public var updateInterval: Double = 0.32
    /// How finals are decoded (set before the first samples).
    public var finalPass: FinalPass = .full
    /// Beam width of the two-pass final (`finalPass == .full`); nil: the partials' beam (`options.beam`).
    public var finalBeam: Int?
    private let vadOptions: EnergyVAD.Options

    private var vad: EnergyVAD
    private var extractor: LogMelExtractor
    private var listener: ListenerStream?
    private var search: BlockwiseBeamSearch
    private var features = [Float]()        // normalized feature rows of the open segment (re-encoding mode, full final pass)
    private var rawFeatures = [Float]()     // unnormalized rows (utterance-normalized models renormalize at the end)
    private var encoded = [Float]()         // encoder rows of the open segment
    private var segmentStart = 0            // sample index where the open segment's pipeline started
    private var samplesSeen = 0
    private var sinceUpdate = 0
    private var lastPartial = ""
    private var extendedFrames = 0          // encoder frames the blockwise search has seen
    private var running: FeatureStats
    private var onlineMean: OnlineMeanNormalizer?   // the model's online mean normalization, restarted per segment
    private var sawSpeech = false
    private var history = [Float]()         // recent audio: the lead-in, or where a length cut can fall
    /// Audio kept before speech when the pipeline restarts during silence.
    public var leadIn: Double = 0.3

    /// The encoder's chunk and look-ahead (the model's own unless overridden at init).
    public let chunk: ChunkSpec?
    /// Frames before the block edge that the blockwise search's attention peak must stay clear of.
    public let margin: Int

    /// - Parameters:
    ///   - chunk: overrides the model's streaming chunk and look-ahead (smaller: lower latency, usually less
    ///     accurate than what the model was trained with).
    ///   - margin: the blockwise search's margin in encoder frames.
    public init(model: SpeechRecognizer, options: BeamOptions, vad: EnergyVAD.Options = EnergyVAD.Options(),
                chunk: ChunkSpec? = nil, margin: Int = 2) throws {
        self.model = model
        self.options = options
        self.chunk = chunk ?? model.config.encoder.streaming
        self.margin = margin
        vadOptions = vad
        self.vad = EnergyVAD(options: vad)
        extractor = try LogMelExtractor(config: model.config.features)
        search = BlockwiseBeamSearch(model: model, options: options, margin: margin)
        listener = Self.makeListener(model, chunk: self.chunk)
        running = FeatureStats(dim: model.config.features.nMels)
        onlineMean = Self.makeOnlineMean(model)
    }

    static func makeOnlineMean(_ model: SpeechRecognizer) -> OnlineMeanNormalizer? {
        model.config.normalization.onlineMean.map {
            OnlineMeanNormalizer(dim: model.config.features.nMels, window: $0.window, priorFrames: $0.priorFrames)
        }
    }

    static func makeListener(_ model: SpeechRecognizer, chunk: ChunkSpec?) -> ListenerStream? {
        let c = model.config
        guard c.subsampling.kind != .pyramid else { return nil }
        if let spec = chunk { return ListenerStream(listener: model.listener, spec: spec) }
        return c.encoder.kind == .blstm && !c.encoder.bidirectional ? ListenerStream(listener: model.listener, spec: nil) : nil
    }

    /// Feeds 16 kHz samples; returns the events they cause.
    public func accept(_ samples: [Float]) throws -> [StreamEvent] {
        var events = [StreamEvent]()
        samplesSeen += samples.count
        sinceUpdate += samples.count
        let endpointsBefore = vad.endpoints
        vad.accept(samples)
        let closed = vad.endpoints > endpointsBefore
        if vad.inSpeech { sawSpeech = true }
        history += samples
        let historyLimit = Int(max(vadOptions.cutWindow + 1, leadIn) * 16_000)
        if history.count > 2 * historyLimit { history.removeFirst(history.count - historyLimit) }
        var rows = [Float]()
        extractor.accept(samples, into: &rows)
        push(rows)
        if !sawSpeech && samplesSeen - segmentStart > 16_000 {
            // Only silence so far: restart the pipeline on the last lead-in of audio, so segments begin near
            // their speech (as offline VAD segments do) and memory stays bounded.
            let keep = Array(history.suffix(Int(leadIn * 16_000)))
            reset()
            segmentStart = samplesSeen - keep.count
            var leadRows = [Float]()
            extractor.accept(keep, into: &leadRows)
            push(leadRows)
            return events
        }
        if closed, let cut = vad.lastCut, cut > segmentStart, samplesSeen - cut <= history.count {
            // A segment cut for length at its quietest frame: finish it there, and start the next one with the
            // audio after the cut (rather than splitting wherever the stream happened to be, often mid-word).
            let tail = Array(history.suffix(samplesSeen - cut))
            if let e = try endSegment(final: false, at: cut) { events.append(e) }
            segmentStart = cut
            var tailRows = [Float]()
            extractor.accept(tail, into: &tailRows)
            push(tailRows)
            sawSpeech = true
        } else if closed {
            if let e = try endSegment(final: false) { events.append(e) }
        } else if sawSpeech && Double(sinceUpdate) >= updateInterval * 16_000 {
            sinceUpdate = 0
            if let e = updatePartial() { events.append(e) }
        }
        return events
    }

    /// Ends the input: the open segment's final result, if it held speech.
    public func finish() throws -> [StreamEvent] {
        _ = vad.finish()
        return try endSegment(final: true).map { [$0] } ?? []
    }

    private var seconds: Double { Double(samplesSeen) / 16_000 }
    private var startSeconds: Double { Double(segmentStart) / 16_000 }

    private func push(_ rows: [Float]) {
        guard !rows.isEmpty else { return }
        if model.config.normalization.kind == .utterance { rawFeatures += rows }
        let normalized = normalize(rows)
        if let listener { encoded += listener.accept(normalized) }
        if listener == nil || finalPass == .full { features += normalized }
    }

    /// Global statistics when the model has them; otherwise running statistics of the open segment. Then the
    /// model's online mean normalization, which is causal: the rows get what offline decoding gives them.
    private func normalize(_ rows: [Float]) -> [Float] {
        let n = model.config.normalization, d = model.config.features.nMels
        let out: [Float]
        switch n.kind {
        case .none: out = rows
        case .global: out = n.applyKind(FeatureMatrix(frames: rows.count / d, dim: d, data: rows)).data
        case .utterance:
            let m = FeatureMatrix(frames: rows.count / d, dim: d, data: rows)
            running.accumulate(m)
            out = running.normalize(m).data
        }
        return onlineMean == nil ? out : onlineMean!.normalize(out)
    }

    private func values() -> Tensor? {
        let e = model.config.encoderOutputDim
        if listener == nil {
            let d = model.config.features.nMels
            guard features.count >= 4 * d else { return nil }
            let f = FeatureMatrix(frames: features.count / d, dim: d, data: features)
            let (x, l) = SpeechRecognizer.batch([f])
            return Tensor.withoutGrad { model.encode(x, lengths: l, streaming: chunk).values }
        }
        guard encoded.count >= e else { return nil }
        return Tensor(shape: [1, encoded.count / e, e], data: encoded)
    }

    private func updatePartial() -> StreamEvent? {
        guard let v = values(), v.shape[1] > extendedFrames else { return nil }   // nothing new from the encoder
        extendedFrames = v.shape[1]
        search.extend(values: v)
        let text = model.vocabulary.decode(search.partial.tokens)
        guard text != lastPartial, !text.isEmpty else { return nil }
        lastPartial = text
        return .partial(text: text, start: startSeconds)
    }

    /// Finishes the open segment, at sample `cut` (< samplesSeen) when given: the features and encoder frames
    /// after it are dropped (the caller feeds that audio to the next segment).
    private func endSegment(final: Bool, at cut: Int? = nil) throws -> StreamEvent? {
        defer { reset() }
        var rows = [Float]()
        extractor.finish(into: &rows)
        push(rows)
        if let listener { encoded += listener.finish() }
        let endSample = cut ?? samplesSeen
        let seconds = Double(endSample) / 16_000
        if cut != nil {
            let d = model.config.features.nMels, keep = max(1, (endSample - segmentStart) / model.config.features.hopLength)
            if features.count > keep * d { features.removeLast(features.count - keep * d) }
            if rawFeatures.count > keep * d { rawFeatures.removeLast(rawFeatures.count - keep * d) }
            let e = model.config.encoderOutputDim
            let keepEncoded = max(1, Int((Double(keep) * model.config.encoderFrameRate / model.config.features.framesPerSecond).rounded(.up)))
            if encoded.count > keepEncoded * e { encoded.removeLast(encoded.count - keepEncoded * e) }
        }
        guard sawSpeech, var v = values() else { return nil }
        if finalPass == .full {
            // Second pass: the segment as offline transcription sees it (full-context encoder, offline search).
            let d = model.config.features.nMels
            let f = model.config.normalization.kind == .utterance
                ? model.config.normalization.apply(FeatureMatrix(frames: rawFeatures.count / d, dim: d, data: rawFeatures))
                : FeatureMatrix(frames: features.count / d, dim: d, data: features)
            var o = options
            o.beam = finalBeam ?? options.beam
            let t = Transcriber(model: model, beam: o.beam > 1 ? o : nil).transcribe(features: f, duration: seconds - startSeconds)
            return .final(text: t.text, start: startSeconds, end: seconds, words: t.words(model: model, offset: startSeconds))
        }
        if model.config.normalization.kind == .utterance {
            // The final result uses the whole segment's statistics, as offline decoding does.
            let d = model.config.features.nMels
            let f = model.config.normalization.apply(FeatureMatrix(frames: rawFeatures.count / d, dim: d, data: rawFeatures))
            let (x, l) = SpeechRecognizer.batch([f])
            v = Tensor.withoutGrad { model.encode(x, lengths: l, streaming: chunk).values }
        }
        let hyp = search.finalize(values: v, restart: model.config.normalization.kind == .utterance)
        let text = model.vocabulary.decode(hyp.tokens)
        let frames = v.shape[1]
        let words = Timestamps.words(hyp, model: model, ctcLogProbs: model.ctcLogProbs(values: v, length: frames), frames: frames,
                                     offset: startSeconds, limit: seconds)
        return .final(text: text, start: startSeconds, end: seconds, words: words)
    }

    private func reset() {
        extractor = try! LogMelExtractor(config: model.config.features)
        listener = Self.makeListener(model, chunk: chunk)
        search = BlockwiseBeamSearch(model: model, options: options, margin: margin)
        features = []; encoded = []; rawFeatures = []
        segmentStart = samplesSeen
        sinceUpdate = 0
        lastPartial = ""
        extendedFrames = 0
        running = FeatureStats(dim: model.config.features.nMels)
        onlineMean?.reset()
        sawSpeech = vad.inSpeech
    }
}
