// The search settings a model ships with (config.json's "decoding"), tuned on its development set: what
// `scribe transcribe`, `eval`, `align` and `stream` use unless a flag overrides them.

/// Decoding defaults saved with a model. Configs without a "decoding" block get these values.
public struct DecodingDefaults: Codable, Equatable, Sendable {
    /// CTC weight λ of the joint CTC/attention beam search, when the model has a CTC head (0 = attention only).
    public var ctcWeight: Float = 0.3
    /// Beam width of `scribe transcribe`/`eval`/`align` and of `scribe stream`'s two-pass finals.
    public var beam: Int = 8
    /// Weight μ of the language model fused into beam search, when one is given or sits in the model directory.
    public var lmWeight: Float = 0.3
    /// ln-penalty of each out-of-vocabulary word under a word language model (0 = ln P(<unk>) alone).
    public var oovPenalty: Float = 0
    /// Weight κ of internal language model subtraction (κ × ln P_ILM taken off every score; 0 = off).
    public var ilmWeight: Float = 0
    /// Length normalization exponent α of beam search's final ranking (score / length^α).
    public var lengthPenalty: Float = 1.0
    public init() {}
}
