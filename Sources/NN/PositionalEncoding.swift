// Sinusoidal positions (Vaswani et al. 2017) for the Transformer encoder and decoder, with an offset so a
// streaming chunk or a decoder step at position t0 gets rows t0, t0+1, ... Not learned; no parameters.
import Foundation
import Tensor

/// PE[t, 2i] = sin(t / 10000^(2i/D)), PE[t, 2i+1] = cos(t / 10000^(2i/D)).
public enum PositionalEncoding {
    /// Positions offset..<offset+T → [T, D]. Computed in Double, so any offset gives the same row for a position.
    public static func sinusoidal(length: Int, dim: Int, offset: Int = 0) -> Tensor {
        precondition(length >= 0 && dim > 0 && offset >= 0, "sinusoidal: length \(length), dim \(dim), offset \(offset)")
        var out = [Float](repeating: 0, count: length * dim)
        for i in stride(from: 0, to: dim, by: 2) {
            let rate = Foundation.pow(10000.0, -Double(i) / Double(dim))
            for t in 0..<length {
                let angle = Double(offset + t) * rate
                out[t * dim + i] = Float(Foundation.sin(angle))
                if i + 1 < dim { out[t * dim + i + 1] = Float(Foundation.cos(angle)) }
            }
        }
        return Tensor(shape: [length, dim], data: out)
    }
}
