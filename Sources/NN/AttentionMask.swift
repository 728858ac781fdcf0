// Masks for Transformer attention, as tensors broadcastable to scores [B, H, Tq, Tk] with 1 = masked:
// key padding and causal (decoder). The streaming chunk mask is ChunkConfig's (ChunkMask.swift).
import Tensor

/// Builders of 0/1 attention masks (nonzero = the query may not attend to that key).
public enum AttentionMask {
    /// Key padding: [B, 1, 1, T], 1 where frame j ≥ lengths[b].
    public static func padding(lengths: [Int], frames t: Int) -> Tensor {
        var m = [Float](repeating: 0, count: lengths.count * t)
        for (b, len) in lengths.enumerated() {
            precondition(len >= 0 && len <= t, "padding mask: length \(len) outside 0...\(t)")
            for j in len..<t { m[b * t + j] = 1 }
        }
        return Tensor(shape: [lengths.count, 1, 1, t], data: m)
    }

    /// Causal: [1, 1, U, U], 1 where key j > query i (no attending to later tokens).
    public static func causal(_ u: Int) -> Tensor {
        var m = [Float](repeating: 0, count: u * u)
        for i in 0..<u { for j in (i + 1)..<u { m[i * u + j] = 1 } }
        return Tensor(shape: [1, 1, u, u], data: m)
    }
}
