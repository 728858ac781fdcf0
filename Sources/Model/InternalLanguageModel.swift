// The attention decoder's internal language model, estimated by running its LSTM speller with the attention context
// held at zero (Meng et al. 2021, "Internal Language Model Estimation for Domain-Adaptive End-to-End Speech
// Recognition": the zero-attention ILM of an attention encoder-decoder). An attention speller trained on a corpus's
// transcripts learns a prior over their character sequences; shallow fusion adds an external LM's prior on top.
// Subtracting κ × ln P_ILM (density-ratio style) leaves room for the external LM: score = ... + μ ln P_LM − κ ln P_ILM.
//
// Cost: with the context at zero, a token's input projection W_ih·[emb(y); 0] + b is a fixed row per token, computed
// once (`tokenGates`, [V, 4H]), so a step is h·W_hhᵀ plus that row, and `prepare` steps every new history of a beam
// in one GEMM. The states live in plain float arrays in a two-generation cache (the live beam's histories, stored or
// looked up in the step before, are always in one of the two), so memory stays a few tens of MB whatever the audio's
// length.
import Foundation
import NN
import Tensor

/// ln P_ILM(token | history) of an LSTM speller with a zero context vector: s_i = LSTM([emb(y_{i−1}); 0], s_{i−1}),
/// logits = Linear([s_i; 0]). It depends on the characters alone, not on the audio, so one instance serves every
/// utterance and every thread; the states of the histories asked for are cached (history → h, c [H] and
/// log-probs [V]), each computed from its parent's in one LSTM step.
public final class InternalLanguageModel: TokenLanguageModel, @unchecked Sendable {
    /// V, the speller's output width.
    public let classes: Int
    /// Histories per cache generation. When the newer generation fills up, the older one is dropped and the newer one
    /// becomes the older (a history found there moves back to the newer), so at most 2 × capacity are held: about
    /// 2H + V floats and the history each, some 3 KB for the default model, so about 25 MB at the default 4,096.
    public let capacity: Int
    private let hidden: Int
    /// [V_in, 4H]: bias + W_ih[:, :E] · emb(token) for every input token (`<sos>` included); the context's columns
    /// of W_ih meet zeros.
    private let tokenGates: [Float]
    /// W_hh [4H, H], read once.
    private let wHH: [Float]
    /// The output layer's columns for h (W_out [V, H + C], row length H + C) and its bias [V].
    private let wOut: [Float], bOut: [Float]
    private let outStride: Int
    private let lock = NSLock()
    private var newer: [[Int]: Entry] = [:], older: [[Int]: Entry] = [:]

    struct Entry {
        var h: [Float]          // [H]
        var c: [Float]          // [H]
        var logProbs: [Float]   // [V]
    }

    /// - Parameters:
    ///   - speller: the recognizer's LSTM speller; its weights are read once, here.
    ///   - capacity: cached histories per generation (at least 1).
    public init(speller: Speller, capacity: Int = 4_096) {
        let h = speller.hidden, g4 = 4 * h, e = speller.embedding.table.shape[1], vIn = speller.embedding.table.shape[0]
        let inStride = e + speller.contextDim
        self.hidden = h
        self.classes = speller.output.outFeatures
        self.capacity = max(1, capacity)
        outStride = speller.output.inFeatures
        wHH = speller.cell.wHH.data
        wOut = speller.output.weight.data
        bOut = speller.output.bias?.data ?? [Float](repeating: 0, count: speller.output.outFeatures)
        var table = [Float](repeating: 0, count: vIn * g4)
        let bias = speller.cell.bias.data
        for r in 0..<vIn { for j in 0..<g4 { table[r * g4 + j] = bias[j] } }
        speller.embedding.table.data.withUnsafeBufferPointer { emb in speller.cell.wIH.data.withUnsafeBufferPointer { w in
            table.withUnsafeMutableBufferPointer { t in
                BLAS.sgemm(transA: false, transB: true, m: vIn, n: g4, k: e, a: emb.baseAddress!, lda: e,
                           b: w.baseAddress!, ldb: inStride, beta: 1, c: t.baseAddress!, ldc: g4)
            }
        } }
        tokenGates = table
    }

    public func logProb(_ token: Int, after history: [Int]) -> Float { entry(history).logProbs[token] }

    public func logProbs(_ tokens: [Int], after history: [Int]) -> [Float] {
        let lp = entry(history).logProbs
        return tokens.map { lp[$0] }
    }

    /// The log-probabilities [V] of the next token after `history` (all V tokens, as the speller's softmax gives them).
    public func distribution(after history: [Int]) -> [Float] { entry(history).logProbs }

    /// Computes the states of all `histories` not yet cached in one batched LSTM step (their parents first, when an
    /// eviction dropped them), so that the search's per-hypothesis lookups that follow are cache hits.
    public func prepare(_ histories: [[Int]]) {
        var missing = [[Int]](), parents = [Entry](), seen = Set<[Int]>()
        for history in histories where lookup(history) == nil && seen.insert(history).inserted {
            missing.append(history)
            parents.append(history.isEmpty ? rootParent : entry(Array(history.dropLast())))
        }
        guard !missing.isEmpty else { return }
        let computed = step(parents: parents, previous: missing.map { $0.last ?? Vocabulary.sos })
        store(zip(missing, computed).map { ($0, $1) })
    }

    /// The zero state that the empty history steps from (with `<sos>` as its previous token).
    private var rootParent: Entry {
        Entry(h: [Float](repeating: 0, count: hidden), c: [Float](repeating: 0, count: hidden), logProbs: [])
    }

    private func lookup(_ history: [Int]) -> Entry? {
        lock.lock()
        defer { lock.unlock() }
        if let e = newer[history] { return e }
        guard let e = older[history] else { return nil }
        insertLocked(history, e)
        return e
    }

    private func store(_ entries: [([Int], Entry)]) {
        lock.lock()
        for (history, e) in entries { insertLocked(history, e) }
        lock.unlock()
    }

    private func insertLocked(_ history: [Int], _ e: Entry) {
        if newer.count >= capacity {
            older = newer
            newer = [:]
            newer.reserveCapacity(capacity)
        }
        newer[history] = e
    }

    /// The cached entry of `history`, computed when missing from its longest cached prefix, one step per token.
    private func entry(_ history: [Int]) -> Entry {
        if let e = lookup(history) { return e }
        // k: the length of the longest cached proper prefix (−1 when none is, not even the empty history).
        var k = history.count - 1, state = rootParent
        while k >= 0 {
            if let e = lookup(Array(history[..<k])) { state = e; break }
            k -= 1
        }
        // The entry of history[..<n] steps from history[..<(n − 1)] with its last token (`<sos>` for n = 0).
        for n in (k + 1)...history.count {
            state = step(parents: [state], previous: [n == 0 ? Vocabulary.sos : history[n - 1]])[0]
            store([(Array(history[..<n]), state)])
        }
        return state
    }

    /// One LSTM step for B states at once: gates [B, 4H] = tokenGates[previous] + h · W_hhᵀ, then the cell, then
    /// log-softmax(h' · W_out[:, :H]ᵀ + b) [B, V]. The pointwise part is Tensor.lstm's (`Tensor.lstmPointwise`).
    private func step(parents: [Entry], previous: [Int]) -> [Entry] {
        let b = parents.count, nh = hidden, g4 = 4 * nh, v = classes
        var gates = [Float](repeating: 0, count: b * g4)
        var hs = [Float](repeating: 0, count: b * nh), cs = [Float](repeating: 0, count: b * nh)
        for (i, p) in parents.enumerated() {
            hs.replaceSubrange((i * nh)..<((i + 1) * nh), with: p.h)
            cs.replaceSubrange((i * nh)..<((i + 1) * nh), with: p.c)
            let row = previous[i] * g4
            gates.replaceSubrange((i * g4)..<((i + 1) * g4), with: tokenGates[row..<(row + g4)])
        }
        var logits = [Float](repeating: 0, count: b * v), logProbs = [Float](repeating: 0, count: b * v)
        gates.withUnsafeMutableBufferPointer { gp in hs.withUnsafeMutableBufferPointer { hp in
            cs.withUnsafeMutableBufferPointer { cp in wHH.withUnsafeBufferPointer { whh in
                BLAS.sgemm(transA: false, transB: true, m: b, n: g4, k: nh, a: hp.baseAddress!, lda: nh,
                           b: whh.baseAddress!, ldb: nh, beta: 1, c: gp.baseAddress!, ldc: g4)
                var tc = [Float](repeating: 0, count: nh)
                tc.withUnsafeMutableBufferPointer { tcp in
                    for r in 0..<b {
                        Tensor.lstmPointwise(gates: gp.baseAddress! + r * g4, c: cp.baseAddress! + r * nh,
                                             h: hp.baseAddress! + r * nh, tanhC: tcp.baseAddress!, hidden: nh)
                    }
                }
            } }
            for r in 0..<b { for j in 0..<v { logits[r * v + j] = bOut[j] } }
            wOut.withUnsafeBufferPointer { w in logits.withUnsafeMutableBufferPointer { lp in
                BLAS.sgemm(transA: false, transB: true, m: b, n: v, k: nh, a: hp.baseAddress!, lda: nh,
                           b: w.baseAddress!, ldb: outStride, beta: 1, c: lp.baseAddress!, ldc: v)
                logProbs.withUnsafeMutableBufferPointer { Tensor.logSoftmaxRows(lp.baseAddress!, $0.baseAddress!, rows: b, n: v) }
            } }
        } }
        return (0..<b).map { r in
            Entry(h: Array(hs[(r * nh)..<((r + 1) * nh)]), c: Array(cs[(r * nh)..<((r + 1) * nh)]),
                  logProbs: Array(logProbs[(r * v)..<((r + 1) * v)]))
        }
    }
}
