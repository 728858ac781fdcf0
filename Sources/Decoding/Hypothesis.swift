// A decoded hypothesis: tokens, score, and the attention row of every emitted token (for timestamps and plots).
import Foundation

public struct Hypothesis: Sendable {
    /// Output tokens without sos, without eos.
    public var tokens: [Int]
    /// Sum of log-probabilities of the tokens and the final eos.
    public var logProb: Float
    /// The score the search ranked by (length-normalized / penalized).
    public var score: Float
    /// Attention weights over encoder frames for each token and the final eos: [tokens.count + 1][T'].
    public var attention: [[Float]]
    /// Per-token probabilities (exp of each token's log-prob), a confidence measure.
    public var tokenProbs: [Float]

    public init(tokens: [Int], logProb: Float, score: Float, attention: [[Float]], tokenProbs: [Float]) {
        self.tokens = tokens; self.logProb = logProb; self.score = score; self.attention = attention; self.tokenProbs = tokenProbs
    }
}
