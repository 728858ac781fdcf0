// `scribe train`: trains a model from manifests with a JSON config; checkpoints, resume, progress, log.
import ArgumentParser
import Foundation
import Model
import Tensor
import Training

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model (teacher forcing + scheduled sampling, SpecAugment, label smoothing, dropout).",
        discussion: """
            CONFIG is a JSON file of TrainingConfig (every hyperparameter, seed first; keys left out take their \
            defaults, unknown keys are errors). The best model by validation WER is written to OUT as a model \
            directory; checkpoints go to OUT/checkpoints (the newest keep_checkpoints are kept), the JSON Lines \
            log to OUT/train.log.jsonl. --resume continues from the newest checkpoint exactly where it stopped.

            --print-config shows every key a config can set: the defaults, or CONFIG with its defaults filled in.

            Example:
              scribe train --config configs/default.json --train corpus/train.jsonl --valid corpus/valid.jsonl --out models/mine
              scribe train --print-config > configs/mine.json
            """)

    @Option(help: "Training config (JSON).") var config: String?
    @Option(help: "Training manifest (JSON Lines; required to train).") var train: String?
    @Option(help: "Validation manifest (JSON Lines).") var valid: String?
    @Option(help: "Output model directory (required to train).") var out: String?
    @Flag(help: "Continue from the newest checkpoint in OUT/checkpoints.") var resume = false
    @Option(help: "Override the config's max_steps.") var maxSteps: Int?
    @Option(help: ArgumentHelp(
        "Override the config's parallel (also on --resume): how a step uses its threads. blas = BLAS threads inside each op; batch = the batch split into one shard per thread, each with single-threaded BLAS (data parallel; `bench/run train` compares the two on this machine). The modes sum in a different order, so their numbers differ in the last bits.",
        valueName: "mode")) var parallel: TrainingConfig.ParallelMode?
    @Option(help: ArgumentHelp(
        "Override the config's valid_search.beam (also on --resume): validation decodes with this beam (1 = greedy). When a resumed run's validation search changes, its best-so-far WER is forgotten, since the numbers are not comparable.",
        valueName: "beam")) var validBeam: Int?
    @Option(help: ArgumentHelp("Override the config's valid_search.ctc_weight (also on --resume; see --valid-beam).", valueName: "λ")) var validCtcWeight: Float?
    @Option(help: ArgumentHelp("Keep the raw features of the manifests' audio in this directory and reuse them on later runs (a restart then skips feature extraction).",
                               valueName: "dir")) var featureCache: String?
    @Option(name: .customLong("init"), help: ArgumentHelp(
        "Start a new run from the weights of this model directory or checkpoint (same architecture; its normalization statistics are kept; dropout, the CTC weight, the streaming chunk and the online mean normalization may differ, and a speaker classifier one side lacks starts fresh or is dropped).",
        valueName: "model-dir")) var initFrom: String?
    @Flag(help: "Print a progress line per step on a terminal, or every 50 steps otherwise; --quiet: none.") var quiet = false
    @Flag(help: "Print the training config as JSON, every key with its value (CONFIG with the defaults filled in, or the defaults without --config), and exit without training.")
    var printConfig = false

    func validate() throws {
        if printConfig {
            if resume || initFrom != nil || train != nil || out != nil || valid != nil || maxSteps != nil || parallel != nil
                || validBeam != nil || validCtcWeight != nil || featureCache != nil {
                throw ValidationError("--print-config takes only --config: it trains nothing")
            }
            return
        }
        if train == nil { throw ValidationError("--train is required: the training manifest (JSON Lines)") }
        if out == nil { throw ValidationError("--out is required: the directory the model and checkpoints go to") }
        if config == nil && !resume { throw ValidationError("--config is required (or --resume to continue a run in --out)") }
        if resume && initFrom != nil { throw ValidationError("--init starts a new run; --resume continues one: use one of them") }
    }

    func run() throws {
        if printConfig {
            let cfg = try config.map(TrainingConfig.load) ?? TrainingConfig()
            print(String(decoding: try JSONConfig.encoder().encode(cfg), as: UTF8.self))
            return
        }
        let (train, out) = (self.train!, self.out!)        // validate() required both
        var cfg: TrainingConfig
        var checkpoint: String?
        if resume {
            guard let latest = Checkpoint.latest(out) else { throw ValidationError("--resume: no checkpoint in \(Checkpoint.directory(of: out))") }
            checkpoint = latest
            cfg = try Checkpoint.config(latest)
        } else {
            cfg = try TrainingConfig.load(config!)
            if Checkpoint.latest(out) != nil {
                throw ValidationError("\(out) already has checkpoints: use --resume to continue, or choose another --out")
            }
        }
        if let maxSteps { cfg.maxSteps = maxSteps }
        if let parallel { cfg.parallel = parallel }
        let checkpointSearch = cfg.validSearch
        if let validBeam { cfg.validSearch.beam = validBeam }
        if let validCtcWeight { cfg.validSearch.ctcWeight = validCtcWeight }
        try cfg.validate(path: resume ? "\(out) (checkpoint config with overrides)" : config!)
        var initial: SpeechRecognizer?
        if let initFrom {
            let m = try ModelDirectory.load(initFrom)
            var mine = cfg.model
            mine.normalization = m.config.normalization
            if mine.ctcWeight > 0 && m.config.ctcWeight > 0 { mine.ctcWeight = m.config.ctcWeight }  // the same head, another weight
            if mine.encoder.streaming != nil && m.config.encoder.streaming != nil {
                mine.encoder.streaming = m.config.encoder.streaming                                   // chunking holds no weights
            }
            mine.subsampling.timeReduction = m.config.subsampling.timeReduction                        // nor does the frame rate
            if mine.speakerClasses == 0 || m.config.speakerClasses == 0 {
                mine.speakerClasses = m.config.speakerClasses      // a speaker classifier one side lacks: fresh, or dropped
            }
            guard mine.architecture == m.config.architecture else {
                throw ValidationError("--init \(initFrom): its architecture differs from the config's model; --init needs the same one")
            }
            let online = cfg.model.normalization.onlineMean    // a setting of this run, not of the weights
            cfg.model.normalization = m.config.normalization
            cfg.model.normalization.onlineMean = online
            initial = m
        }
        let err = FileHandle.standardError
        func say(_ s: String) { err.write(Data((s + "\n").utf8)) }
        let trainEntries = try Manifest.read(train).entries
        say("loading \(trainEntries.count) training utterances from \(train)")
        let needStats = cfg.model.normalization.kind == .global && cfg.model.normalization.mean == nil
        let cache = try featureCache.map { try FeatureCache(directory: $0, features: cfg.model.features) }
        var (trainSet, skipped) = try Dataset.load(trainEntries, config: cfg.model, manifestPath: train, threads: 2, raw: needStats, cache: cache) { n in
            guard !quiet else { return }
            if isatty(2) != 0 {
                err.write(Data("\rfeatures: \(n)/\(trainEntries.count)\u{1B}[K".utf8))
            } else if n % max(trainEntries.count / 10 / 200 * 200, 200) == 0 {
                say("features: \(n)/\(trainEntries.count)")              // a log file gets a line per tenth
            }
        }
        if needStats {
            let (mean, std) = trainSet.globalStatistics()
            cfg.model.normalization.mean = mean
            cfg.model.normalization.std = std
            trainSet = trainSet.normalized(with: cfg.model.normalization)
            say("\nglobal normalization statistics computed over \(trainSet.examples.count) utterances")
        }
        for s in skipped.prefix(5) { say("skipped: \(s)") }
        if skipped.count > 5 { say("skipped \(skipped.count) utterances in all") }
        var validSet: Dataset?
        if let valid {
            let entries = try Manifest.read(valid).entries
            validSet = try Dataset.load(entries, config: cfg.model, manifestPath: valid, threads: 2, cache: cache).0
        }
        say(String(format: "training on %d utterances (%.2f h), validating on %d", trainSet.examples.count, trainSet.seconds / 3600, validSet?.examples.count ?? 0))
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let trainer = try Trainer(config: cfg, train: trainSet, valid: validSet, outDirectory: out, resumeFrom: checkpoint)
        if let checkpoint { say("resumed from \(checkpoint) at step \(trainer.state.step)") }
        if !trainer.speakerClasses.isEmpty {
            let a = cfg.speakerAdversary
            say("speaker adversary: \(trainer.speakerClasses.count) voices (model.speaker_classes \(cfg.model.speakerClasses)), weight \(a.weight), reversal λ 0 → \(a.reversal) over \(a.rampSteps) steps")
            let unlabelled = trainSet.examples.filter { $0.voice == nil }.count
            if unlabelled > 0 { say("speaker adversary: \(unlabelled) training utterances have no \"voice\" or \"speaker\" key and get no speaker target") }
        }
        if checkpoint != nil && cfg.validSearch != checkpointSearch && trainer.state.bestWER != nil {
            trainer.forgetBest()
            say("validation search changed (beam \(checkpointSearch.beam) → \(cfg.validSearch.beam), CTC weight \(checkpointSearch.ctcWeight) → \(cfg.validSearch.ctcWeight)): the best WER so far is forgotten; the next validation sets it")
        }
        if let initial, let initFrom {
            trainer.initialize(from: initial)
            say("weights initialized from \(initFrom)")
        }
        let tty = isatty(2) != 0
        if !quiet {
            trainer.onProgress = { line in
                if tty { err.write(Data(("\r" + line + "\u{1B}[K").utf8)) } else if trainer.state.step % 50 == 0 { say(line) }
            }
        }
        trainer.onValidation = { e in
            say(String(format: "%@step %d: valid loss %.3f, CER %.2f%%, WER %.2f%%", tty ? "\n" : "", e.step, e.validLoss ?? .nan, 100 * (e.cer ?? .nan), 100 * (e.wer ?? .nan)))
        }
        // The log holds this run's steps once: up to the checkpoint resumed from (step 0 for a new run, whose --out may
        // hold the log of a run stopped before its first checkpoint), then what this run writes.
        let log = try TrainingLog(path: "\(out)/train.log.jsonl", resumingAfter: trainer.state.step)
        try trainer.run(log: log)
        say("\ndone: \(trainer.state.step) steps; best valid WER \(trainer.state.bestWER.map { String(format: "%.2f%%", 100 * $0) } ?? "n/a") at step \(trainer.state.bestStep ?? 0); model in \(out)")
    }
}

extension TrainingConfig.ParallelMode: ExpressibleByArgument {}
