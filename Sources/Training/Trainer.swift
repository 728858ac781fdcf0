// The training loop: length-bucketed batches, SpecAugment, teacher forcing with scheduled sampling, label-
// smoothed cross-entropy (+ optional joint CTC), gradient clipping, Adam/AdamW/SGD with an LR schedule,
// periodic validation (loss, CER/WER by greedy or the configured beam search), atomic checkpoints and exact resume.
import Decoding
import Evaluation
import Features
import Foundation
import Model
import NN
import Tensor

public final class Trainer {
    public let config: TrainingConfig
    public let model: SpeechRecognizer
    public let optimizer: Optimizer
    public let train: Dataset
    public let valid: Dataset?
    public let outDirectory: String
    public private(set) var state: TrainerState
    let schedule: LRSchedule
    /// The model's replicas when `config.parallel` is `.batch` with several threads (nil otherwise).
    let dataParallel: DataParallel?
    /// Called with a progress line after each step.
    public var onProgress: ((String) -> Void)?
    /// Called with each validation result.
    public var onValidation: ((TrainingLogEntry) -> Void)?
    /// The speaker classifier's class of each voice of the training set (sorted class names, after
    /// `config.speakerAdversary.className`; empty unless `config.speakerAdversary.weight` > 0).
    public let speakerClasses: [String: Int]

    /// A new run (or, with `resumeFrom`, the continuation of one) writing to `outDirectory`.
    public init(config: TrainingConfig, train: Dataset, valid: Dataset?, outDirectory: String, resumeFrom checkpoint: String? = nil) throws {
        self.config = config
        self.train = train
        self.valid = valid
        self.outDirectory = outDirectory
        model = SpeechRecognizer(config: config.model)
        if config.parallel == .batch && config.threads > 1 {
            Threading.configure(threads: 1)               // one level: the shards' threads, BLAS single-threaded
            dataParallel = DataParallel(master: model, shards: config.threads)
        } else {
            Threading.configure(threads: config.threads)
            dataParallel = nil
        }
        let params = model.parameters
        switch config.optimizer {
        case .adam: optimizer = Adam(parameters: params, learningRate: config.learningRate, weightDecay: config.weightDecay)
        case .adamw: optimizer = Adam.adamW(parameters: params, learningRate: config.learningRate, weightDecay: config.weightDecay)
        case .sgd: optimizer = SGD(parameters: params, learningRate: config.learningRate, momentum: 0.9, weightDecay: config.weightDecay)
        }
        let total = max(config.maxSteps, config.epochs * max(train.batches(maxFrames: config.maxBatchFrames, maxBatch: config.maxBatchSize, seed: config.seed, epoch: 0).count, 1))
        switch config.schedule {
        case .constant: schedule = ConstantLR(config.learningRate)
        case .noam: schedule = NoamLR(peak: config.learningRate, warmup: config.warmupSteps)
        case .cosine: schedule = CosineLR(peak: config.learningRate, warmup: config.warmupSteps, total: total, minimum: config.learningRate * 0.01)
        case .exponential: schedule = ExponentialLR(initial: config.learningRate, decay: 0.5, every: max(total / 4, 1), minimum: config.learningRate * 0.01)
        }
        speakerClasses = try Self.speakerClasses(of: train, config: config)
        state = TrainerState(seed: config.seed)
        if let checkpoint { try Checkpoint.load(checkpoint, into: self) }
    }

    func restore(state: TrainerState) { self.state = state }

    /// One class per distinct voice of `train`, in sorted order, when speaker-adversarial training is on.
    static func speakerClasses(of train: Dataset, config: TrainingConfig) throws -> [String: Int] {
        guard config.speakerAdversary.weight > 0 else { return [:] }
        let voices = Set(train.examples.compactMap { $0.voice.map(config.speakerAdversary.className) }).sorted()
        let field = "speaker_adversary.weight"
        guard voices.count >= 2 else {
            throw TrainingError.badConfig(path: "the training manifest", field: field,
                                          reason: "needs at least 2 voices (\"voice\" or \"speaker\" keys); the manifest has \(voices.count)")
        }
        guard voices.count <= config.model.speakerClasses else {
            throw TrainingError.badConfig(path: "the training manifest", field: "model.speaker_classes",
                                          reason: "the manifest has \(voices.count) voices; set model.speaker_classes to at least that (it is \(config.model.speakerClasses))")
        }
        return Dictionary(uniqueKeysWithValues: voices.enumerated().map { ($1, $0) })
    }

    /// The speaker classifier's class of `example`'s voice, if it has one.
    func speakerClass(_ example: Example) -> Int? {
        example.voice.flatMap { speakerClasses[config.speakerAdversary.className($0)] }
    }

    /// The speaker classifier's frame targets for a batch whose encoder output is [B, T', E] with `lengths`:
    /// each real frame of an utterance with a known voice gets its class, the rest −1 (ignored).
    func speakerTargets(_ examples: [Example], lengths: [Int], frames t: Int) -> [Int] {
        var out = [Int](repeating: -1, count: examples.count * t)
        for (b, e) in examples.enumerated() {
            guard let c = speakerClass(e) else { continue }
            for k in 0..<min(lengths[b], t) { out[b * t + k] = c }
        }
        return out
    }

    /// Encoder frames with a speaker target in `batch` (what the speaker loss's mean runs over).
    func speakerFrames(_ batch: PreparedBatch) -> Int {
        zip(batch.examples, batch.features).reduce(0) { n, x in
            speakerClass(x.0) == nil ? n : n + model.listener.outputLength(x.1.frames)
        }
    }

    /// Forgets the best validation WER so far (`scribe train --resume` with another validation search, whose WERs
    /// are not comparable); the next validation sets it again and saves its model.
    public func forgetBest() {
        state.bestWER = nil
        state.bestStep = nil
    }

    /// Copies the weights of `model` (same architecture, except perhaps the speaker classifier) into this run's model
    /// by name (`scribe train --init`). A speaker classifier `other` lacks keeps its fresh initialisation.
    public func initialize(from other: SpeechRecognizer) {
        let source = Dictionary(uniqueKeysWithValues: other.namedParameters)
        for (name, dst) in model.namedParameters {
            guard let src = source[name] else { continue }
            precondition(src.shape == dst.shape, "initialize: \(name) is \(src.shape) in the source, \(dst.shape) here")
            dst.data = src.data
        }
    }

    /// Whether the run has reached its step or epoch budget.
    public var finished: Bool {
        (config.maxSteps > 0 && state.step >= config.maxSteps) || (config.epochs > 0 && state.epoch >= config.epochs)
    }

    // MARK: one step

    /// Loss of one batch (on the tape). Returns (total, cross-entropy, ctc or nil).
    func loss(batch: [Int], augment: Bool, rng: inout RNG, samplingProbability: Float, guidedWeight: Float = 0,
              speakerLambda: Float? = nil) -> (Tensor, Tensor, Tensor?) {
        loss(examples: batch.map { train.examples[$0] }, augment: augment, rng: &rng, samplingProbability: samplingProbability,
             guidedWeight: guidedWeight, speakerLambda: speakerLambda)
    }

    /// The guided-attention loss of attention weights [B, U, T'] for decoder input lengths `outputs` and encoder
    /// lengths `frames`: the mean over real output steps of Σ_t α·(1 − exp(−(t/T − u/U)² / 2σ²)).
    public static func guidedAttentionLoss(_ attention: Tensor, outputs: [Int], frames: [Int], sigma: Float) -> Tensor {
        let (b, u, t) = (attention.shape[0], attention.shape[1], attention.shape[2])
        var w = [Float](repeating: 0, count: b * u * t)
        var rows = 0
        for i in 0..<b {
            let nu = min(outputs[i], u), nt = min(frames[i], t)
            guard nu > 0, nt > 0 else { continue }
            rows += nu
            for j in 0..<nu {
                for k in 0..<nt {
                    let d = Float(k) / Float(nt) - Float(j) / Float(nu)
                    w[(i * u + j) * t + k] = 1 - Foundation.exp(-d * d / (2 * sigma * sigma))
                }
            }
        }
        return (attention * Tensor(shape: [b, u, t], data: w)).sum().scaled(1 / Float(max(rows, 1)))
    }

    /// A batch after augmentation: what a forward pass needs besides the model and its dropout/sampling RNG.
    struct PreparedBatch {
        var examples: [Example]
        /// Augmented features, one matrix per example.
        var features: [FeatureMatrix]
        /// The streaming constraint when this batch trains the chunked encoder.
        var streaming: ChunkSpec?

        /// Examples `r` of the batch, with the same streaming choice.
        func shard(_ r: Range<Int>) -> PreparedBatch {
            PreparedBatch(examples: Array(examples[r]), features: Array(features[r]), streaming: streaming)
        }
        /// Cross-entropy targets (every token plus EOS; the loss's mean runs over them).
        var targetCount: Int { examples.reduce(0) { $0 + $1.tokens.count + 1 } }
    }

    /// A batch's loss on the tape, and its parts (each a mean over the batch as its own loss defines it).
    struct LossParts {
        var total: Tensor
        var ce: Tensor
        var ctc: Tensor?
        /// The guided-attention loss (unweighted) when it applied.
        var guided: Float?
        /// The speaker classifier's loss (unweighted) and its frame accuracy, when it applied.
        var speaker: Tensor?
        var speakerAccuracy: Float?
        /// Minimum-WER training: the mean expected word errors over the N-best lists, when it applied.
        var mwerExpectedErrors: Float?
    }

    /// Augments `examples` (VTLP, then SpecAugment, drawn in example order) and draws whether the batch streams.
    func prepare(examples: [Example], augment: Bool, rng: inout RNG) -> PreparedBatch {
        let feats = examples.map { e -> FeatureMatrix in
            guard augment else { return e.features }
            let warped = config.vtlp.apply(e.features, features: config.model.features, rng: &rng)
            return config.specAugment.apply(warped, rng: &rng)
        }
        let streaming: ChunkSpec? = (augment && config.streamingFraction > 0 && rng.nextFloat() < config.streamingFraction)
            ? config.model.encoder.streaming : nil
        return PreparedBatch(examples: examples, features: feats, streaming: streaming)
    }

    func loss(examples: [Example], augment: Bool, rng: inout RNG, samplingProbability p: Float, guidedWeight: Float = 0,
              speakerLambda: Float? = nil) -> (Tensor, Tensor, Tensor?) {
        let prepared = prepare(examples: examples, augment: augment, rng: &rng)
        let parts = forward(prepared, model: model, augment: augment, rng: &rng, samplingProbability: p, guidedWeight: guidedWeight,
                            speakerLambda: speakerLambda)
        lastGuided = parts.guided
        lastSpeaker = parts.speaker.map { ($0.item, parts.speakerAccuracy ?? 0) }
        lastMWER = parts.mwerExpectedErrors
        return (parts.total, parts.ce, parts.ctc)
    }

    /// A shard's share of each loss term's mean (all 1 for a whole batch).
    struct LossScale {
        var ce: Float = 1, ctc: Float = 1, guided: Float = 1, speaker: Float = 1, mwer: Float = 1
    }

    /// The loss of a prepared batch on `model`. `scale` multiplies the cross-entropy, CTC, guided and speaker terms
    /// of the total (a shard's share of the batch, so that the shards' totals add up to the batch's); the returned
    /// parts are unscaled. With `speakerLambda` (and a speaker classifier), the speaker loss joins the total with
    /// `config.speakerAdversary.weight`, its gradient into the encoder reversed and scaled by λ.
    func forward(_ batch: PreparedBatch, model: SpeechRecognizer, augment: Bool, rng: inout RNG, samplingProbability p: Float,
                 guidedWeight: Float = 0, speakerLambda: Float? = nil, scale: LossScale = LossScale()) -> LossParts {
        let examples = batch.examples
        let (x, lengths) = SpeechRecognizer.batch(batch.features)                           // [B, T, F]
        let streaming = batch.streaming
        let (values, encLengths) = augment && config.model.encoder.dropout > 0
            ? withUnsafeMutablePointer(to: &rng) { model.encode(x, lengths: lengths, streaming: streaming, dropoutRNG: $0) }
            : model.encode(x, lengths: lengths, streaming: streaming)                 // [B, T', E]
        let inputs = examples.map { [Vocabulary.sos] + $0.tokens }
        let targets = examples.map { $0.tokens + [Vocabulary.eos] }
        let u = inputs.map(\.count).max()!
        var chooser: ((Int, [Int], Tensor) -> [Int])?
        if p > 0 {
            let sample = config.scheduledSampling.sample
            var local = RNG(seed: rng.next())  // the chooser's own stream, drawn from the run's RNG
            chooser = { step, reference, logits in
                let v = logits.shape[1]
                var out = reference
                for b in 0..<reference.count where reference[b] != Vocabulary.pad && local.nextFloat() < p {
                    let row = logits.data[(b * v)..<((b + 1) * v)]
                    out[b] = sample ? Trainer.sampleToken(row, rng: &local) : row.indices.max { row[$0] < row[$1] }! - row.startIndex
                }
                return out
            }
        }
        let (logits, attention) = augment && config.model.decoder.dropout > 0
            ? withUnsafeMutablePointer(to: &rng) { model.decodeTeacherForcedWithAttention(values: values, lengths: encLengths, inputs: inputs, chooseInput: chooser, dropoutRNG: $0) }
            : model.decodeTeacherForcedWithAttention(values: values, lengths: encLengths, inputs: inputs, chooseInput: chooser)  // [B, U, V]
        let v = logits.shape[2]
        var flat = [Int](repeating: Vocabulary.pad, count: examples.count * u)
        for (b, t) in targets.enumerated() { for (i, tok) in t.enumerated() { flat[b * u + i] = tok } }
        let ce = Tensor.crossEntropy(logits: logits.reshaped([examples.count * u, v]), targets: flat,
                                     ignoreIndex: Vocabulary.pad, labelSmoothing: config.labelSmoothing)
        var guided: Tensor?, guidedValue: Float?
        if guidedWeight > 0, let attention {
            let g = Self.guidedAttentionLoss(attention, outputs: inputs.map(\.count), frames: encLengths, sigma: config.guidedAttention.sigma)
            guidedValue = g.item
            guided = g.scaled(guidedWeight * scale.guided)
        }
        var speaker: Tensor?, speakerAccuracy: Float?, adversary: Tensor?
        if let lambda = speakerLambda, let classifier = model.speakerHead, config.speakerAdversary.weight > 0 {
            let (b, t, e) = (values.shape[0], values.shape[1], values.shape[2])
            let targets = speakerTargets(examples, lengths: encLengths, frames: t)
            let labelled = targets.filter { $0 >= 0 }.count
            if labelled > 0 {
                let logits = classifier(values.gradientReversed(lambda).reshaped([b * t, e]))     // [B·T', S]
                let l = Tensor.crossEntropy(logits: logits, targets: targets, ignoreIndex: -1)
                let guesses = logits.argmaxLastAxis()
                speakerAccuracy = Float(zip(guesses, targets).filter { $0.1 >= 0 && $0.0 == $0.1 }.count) / Float(labelled)
                speaker = l
                adversary = l.scaled(config.speakerAdversary.weight * scale.speaker)
            }
        }
        var mwer: (loss: Tensor, expectedErrors: Float)?
        if augment && config.mwer.weight > 0 && (streaming == nil || config.mwer.streaming) {
            let lists = MinimumWERLoss.nBest(model: model, values: values, lengths: encLengths, references: examples.map(\.text),
                                             beam: config.mwer.beam, ctcWeight: config.mwer.ctcWeight,
                                             lengthPenalty: config.mwer.lengthPenalty)
            mwer = MinimumWERLoss.loss(model: model, values: values, lengths: encLengths, lists: lists, utterances: examples.count,
                                       attentionWeight: config.mwer.searchScores ? 1 - config.mwer.ctcWeight : nil)
        }
        func finish(_ total: Tensor, ctc: Tensor?) -> LossParts {
            var t = guided.map { total + $0 } ?? total
            if let adversary { t = t + adversary }
            if let mwer { t = t + mwer.loss.scaled(config.mwer.weight * scale.mwer) }
            return LossParts(total: t, ce: ce, ctc: ctc, guided: guidedValue, speaker: speaker, speakerAccuracy: speakerAccuracy,
                             mwerExpectedErrors: mwer?.expectedErrors)
        }
        guard let head = model.ctcHead, config.model.ctcWeight > 0 else {
            return finish(scale.ce == 1 ? ce : ce.scaled(scale.ce), ctc: nil)
        }
        let ctc = Tensor.ctcLoss(logits: head(values), inputLengths: encLengths, targets: examples.map(\.tokens), blank: Vocabulary.pad)
        let w = config.model.ctcWeight
        return finish(ce.scaled((1 - w) * scale.ce) + ctc.scaled(w * scale.ctc), ctc: ctc)
    }

    static func sampleToken(_ logits: ArraySlice<Float>, rng: inout RNG) -> Int {
        let m = logits.max()!
        let p = logits.map { Foundation.exp(Double($0 - m)) }
        var r = Double(rng.nextFloat()) * p.reduce(0, +)
        for (i, x) in p.enumerated() { r -= x; if r <= 0 { return i } }
        return p.count - 1
    }

    /// The last step's cross-entropy and CTC parts (the loss is their weighted sum).
    public private(set) var lastParts: (ce: Float, ctc: Float?) = (0, nil)
    /// The last step's guided-attention loss (unweighted), when it applied.
    var lastGuided: Float?
    /// The last step's speaker loss (unweighted) and the classifier's frame accuracy, when it applied.
    var lastSpeaker: (loss: Float, accuracy: Float)?
    /// The last step's mean expected word errors over its N-best lists (minimum-WER training), when it applied.
    var lastMWER: Float?

    /// λ of the speaker adversary at `step`, or nil when it is off.
    func speakerLambda(step: Int) -> Float? {
        config.speakerAdversary.weight > 0 && model.speakerHead != nil ? config.speakerAdversary.lambda(step: step) : nil
    }

    /// One optimizer step on `batch` (indices into the training set). Returns the loss.
    @discardableResult
    public func step(batch: [Int]) -> Float {
        if let dataParallel, batch.count > 1 { return parallelStep(batch: batch, replicas: dataParallel) }
        let p = config.scheduledSampling.probability(step: state.step)
        var rng = state.rng
        lastGuided = nil
        lastSpeaker = nil
        lastMWER = nil
        let (total, ce, ctc) = loss(batch: batch, augment: true, rng: &rng, samplingProbability: p,
                                    guidedWeight: config.guidedAttention.weight(step: state.step),
                                    speakerLambda: speakerLambda(step: state.step))
        lastParts = (ce.item, ctc?.item)
        state.rng = rng
        total.backward()
        applyGradients()
        return total.item
    }

    /// The update that ends every step once the batch's gradients are in place: clip, schedule, optimizer, count.
    func applyGradients() {
        _ = clipGradNorm(optimizer.parameters, maxNorm: config.gradientClip)
        optimizer.learningRate = schedule.learningRate(at: state.step + 1)
        optimizer.step()
        optimizer.zeroGrad()
        state.step += 1
    }

    /// Each shard's share of what the batch's loss means run over: targets for cross-entropy and guided attention
    /// (every output step has both), utterances for CTC (a mean of per-utterance losses), encoder frames with a
    /// speaker target for the speaker loss (`speakerFrames`, when given).
    static func shardScales(_ shards: [PreparedBatch], of batch: PreparedBatch,
                            speakerFrames: ((PreparedBatch) -> Int)? = nil) -> [LossScale] {
        let targets = Float(batch.targetCount), utterances = Float(batch.examples.count)
        let frames = speakerFrames.map { count in (count, Float(max(count(batch), 1))) }
        return shards.map { s in
            LossScale(ce: Float(s.targetCount) / targets, ctc: Float(s.examples.count) / utterances,
                      guided: Float(s.targetCount) / targets, speaker: frames.map { count, all in Float(count(s)) / all } ?? 1,
                      mwer: Float(s.examples.count) / utterances)
        }
    }

    /// `step` in data-parallel mode: the batch is augmented as a whole (the same draws as a serial step), then split
    /// into one shard per thread. Each shard's dropout and scheduled sampling draw from their own RNG, seeded from
    /// the run's. Each shard's loss terms are weighted by its share of what the batch's mean runs over (targets
    /// for cross-entropy and guided attention, utterances for CTC), so the gradients add up to the batch's.
    func parallelStep(batch: [Int], replicas: DataParallel) -> Float {
        let p = config.scheduledSampling.probability(step: state.step)
        let guidedWeight = config.guidedAttention.weight(step: state.step)
        var rng = state.rng
        let prepared = prepare(examples: batch.map { train.examples[$0] }, augment: true, rng: &rng)
        let ranges = DataParallel.split(batch.count, parts: replicas.shards)
        let shards = ranges.map { prepared.shard($0) }
        let seeds = ranges.map { _ in rng.next() }
        state.rng = rng
        let lambda = speakerLambda(step: state.step)
        let scales = Self.shardScales(shards, of: prepared, speakerFrames: lambda == nil ? nil : speakerFrames)
        let parts = IndexedResults<LossParts>(count: shards.count)
        _ = replicas.step(shards: shards.count) { k, m in
            var local = RNG(seed: seeds[k])
            let r = self.forward(shards[k], model: m, augment: true, rng: &local, samplingProbability: p,
                                 guidedWeight: guidedWeight, speakerLambda: lambda, scale: scales[k])
            parts.set(k, r)
            return r.total
        }
        let all = parts.values.map { $0! }
        var ce: Float = 0, ctc: Float = 0, guided: Float = 0, speaker: Float = 0, accuracy: Float = 0
        var mwer: Float = 0, mwerShare: Float = 0
        for (r, w) in zip(all, scales) {
            if let e = r.mwerExpectedErrors { mwer += e * w.mwer; mwerShare += w.mwer }
            ce += r.ce.item * w.ce
            ctc += (r.ctc?.item ?? 0) * w.ctc
            guided += (r.guided ?? 0) * w.guided
            speaker += (r.speaker?.item ?? 0) * w.speaker
            accuracy += (r.speakerAccuracy ?? 0) * w.speaker
        }
        lastParts = (ce, all[0].ctc == nil ? nil : ctc)
        lastGuided = all[0].guided == nil ? nil : guided
        lastSpeaker = all.contains { $0.speaker != nil } ? (speaker, accuracy) : nil
        lastMWER = mwerShare > 0 ? mwer / mwerShare : nil
        applyGradients()
        return all.reduce(0) { $0 + $1.total.item }
    }

    // MARK: the loop

    /// Trains until the budget is used, validating and checkpointing on schedule.
    public func run(log: TrainingLog?) throws {
        let start = Date()
        let elapsedBefore = state.elapsed
        var windowStart = Date(), windowAudio = 0.0, windowUtts = 0
        while !finished {
            let batches = train.batches(maxFrames: config.maxBatchFrames, maxBatch: config.maxBatchSize, seed: config.seed,
                                        epoch: state.epoch, shortestFirst: state.epoch < config.curriculumEpochs)
            while state.batchInEpoch < batches.count && !finished {
                let batch = batches[state.batchInEpoch]
                let l = step(batch: batch)
                state.batchInEpoch += 1
                state.elapsed = elapsedBefore + Date().timeIntervalSince(start)
                windowAudio += batch.reduce(0) { $0 + train.examples[$1].seconds }
                windowUtts += batch.count
                let dt = Date().timeIntervalSince(windowStart)
                let lr = optimizer.learningRate
                if state.step % 10 == 0 || state.step == 1 {
                    let speed = windowAudio / max(dt, 1e-9)
                    var entry = TrainingLogEntry(step: state.step, epoch: state.epoch, kind: "train", loss: Double(l),
                                                 learningRate: Double(lr), samplingProbability: Double(config.scheduledSampling.probability(step: state.step)),
                                                 elapsed: state.elapsed, audioSecondsPerSecond: speed)
                    entry.crossEntropy = Double(lastParts.ce)
                    entry.ctc = lastParts.ctc.map(Double.init)
                    entry.guidedAttention = lastGuided.map(Double.init)
                    entry.speaker = lastSpeaker.map { Double($0.loss) }
                    entry.speakerAccuracy = lastSpeaker.map { Double($0.accuracy) }
                    entry.speakerLambda = speakerLambda(step: state.step - 1).map(Double.init)
                    entry.mwerExpectedErrors = lastMWER.map(Double.init)
                    try log?.write(entry)
                }
                onProgress?(progressLine(loss: l, batches: batches.count, utts: windowUtts, audio: windowAudio, seconds: dt))
                if dt > 30 { windowStart = Date(); windowAudio = 0; windowUtts = 0 }
                if state.step % config.validEvery == 0 { try validateAndKeepBest(log: log) }
                if state.step % config.checkpointEvery == 0 { try Checkpoint.save(self) }
            }
            if state.batchInEpoch >= batches.count {
                state.epoch += 1
                state.batchInEpoch = 0
            }
        }
        if state.step % config.validEvery != 0 { try validateAndKeepBest(log: log) }
        if state.step % config.checkpointEvery != 0 { try Checkpoint.save(self) }
        if config.averageLast > 1 { try averageCheckpoints(log: log) }
    }

    /// Averages the newest `averageLast` checkpoints into OUT/averaged (a model directory) and, if that scores
    /// a lower validation WER than the best single checkpoint, writes it to OUT as the model.
    func averageCheckpoints(log: TrainingLog?) throws {
        let paths = Array(Checkpoint.list(outDirectory).suffix(config.averageLast))
        guard paths.count > 1 else { return }
        let averaged = try Checkpoint.average(paths)
        try ModelDirectory.save(averaged, to: "\(outDirectory)/averaged", metadata: ["averaged_checkpoints": paths.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ",")])
        let saved = model.parameters.map(\.data)
        for (p, a) in zip(model.parameters, averaged.parameters) { p.data = a.data }
        defer { for (p, d) in zip(model.parameters, saved) { p.data = d } }
        guard let (vl, cer, wer) = validate() else { return }
        var entry = TrainingLogEntry(step: state.step, epoch: state.epoch, kind: "valid-averaged", validLoss: vl, cer: cer, wer: wer, elapsed: state.elapsed)
        entry.search = validSearchLabel
        entry.samplingProbability = nil
        try log?.write(entry)
        onValidation?(entry)
        if state.bestWER.map({ wer < $0 }) ?? true {
            state.bestWER = wer
            try ModelDirectory.save(averaged, to: outDirectory, card: nil, metadata: ["averaged_checkpoints": String(paths.count), "valid_wer": String(wer)])
        }
    }

    func progressLine(loss: Float, batches: Int, utts: Int, audio: Double, seconds: Double) -> String {
        let total = config.maxSteps > 0 ? config.maxSteps : config.epochs * batches
        let rate = Double(max(state.step, 1)) / max(state.elapsed, 1e-9)
        let eta = Double(max(total - state.step, 0)) / rate
        return String(format: "step %d/%d | epoch %d batch %d/%d | loss %.3f | %.1f utt/s | %.4f audio-h/s | ETA %@",
                      state.step, total, state.epoch + 1, state.batchInEpoch, batches, loss,
                      Double(utts) / max(seconds, 1e-9), audio / 3600 / max(seconds, 1e-9), Self.duration(eta))
    }

    static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        let t = Int(s)
        return t >= 3600 ? String(format: "%dh%02dm", t / 3600, t / 60 % 60) : String(format: "%dm%02ds", t / 60, t % 60)
    }

    // MARK: validation

    /// Validation loss (teacher forced, no augmentation) and CER/WER on the validation set, decoded by `config.validSearch` (greedy by default).
    public func validate() -> (loss: Double, cer: Double, wer: Double)? {
        guard let valid, !valid.examples.isEmpty else { return nil }
        var lossSum = 0.0, batches = 0
        var rng = RNG(seed: 0)
        Tensor.withoutGrad {
            for batch in valid.batches(maxFrames: config.maxBatchFrames, maxBatch: config.maxBatchSize, seed: 0, epoch: 0) {
                let (_, ce, _) = loss(examples: batch.map { valid.examples[$0] }, augment: false, rng: &rng, samplingProbability: 0)
                lossSum += Double(ce.item)
                batches += 1
            }
        }
        var acc = ScoreAccumulator()
        var search: BeamOptions?
        if config.validSearch.beam > 1 {
            search = BeamOptions(beam: config.validSearch.beam)
            search?.ctcWeight = config.validSearch.ctcWeight
        }
        let transcriber = Transcriber(model: model, beam: search)
        // In data-parallel mode BLAS is single-threaded, so the utterances are decoded on the shards' threads.
        let workers = dataParallel?.shards ?? 1
        let hyps = IndexedResults<String>(count: valid.examples.count)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for i in stride(from: w, to: valid.examples.count, by: workers) {
                let ex = valid.examples[i]
                hyps.set(i, transcriber.transcribe(features: ex.features, duration: ex.seconds).text)
            }
        }
        for (ex, hyp) in zip(valid.examples, hyps.values) { acc.add(id: ex.id, reference: ex.text, hypothesis: hyp!) }
        let r = acc.report()
        return (lossSum / Double(max(batches, 1)), r.characters.rate ?? 0, r.words.rate ?? 0)
    }

    /// How `validate` decodes, as the log records it.
    var validSearchLabel: String {
        let s = config.validSearch
        guard s.beam > 1 else { return "greedy" }
        return model.ctcHead != nil && s.ctcWeight > 0 ? "beam \(s.beam), CTC \(s.ctcWeight)" : "beam \(s.beam)"
    }

    func validateAndKeepBest(log: TrainingLog?) throws {
        guard let (vl, cer, wer) = validate() else {
            try ModelDirectory.save(model, to: outDirectory, card: nil)
            return
        }
        var entry = TrainingLogEntry(step: state.step, epoch: state.epoch, kind: "valid", validLoss: vl, cer: cer, wer: wer, elapsed: state.elapsed)
        entry.search = validSearchLabel
        try log?.write(entry)
        onValidation?(entry)
        if state.bestWER.map({ wer < $0 }) ?? true {
            state.bestWER = wer
            state.bestStep = state.step
            try ModelDirectory.save(model, to: outDirectory, card: nil, metadata: ["step": String(state.step), "valid_wer": String(wer)])
        }
    }
}
