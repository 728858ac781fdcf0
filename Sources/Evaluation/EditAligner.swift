// EditAligner: Levenshtein alignment of two token-id sequences that makes exactly the choices jiwer 4 makes
// (rapidfuzz's Levenshtein.editops): common prefix/suffix are matches, the rest is a full DP matrix walked
// back from the end, and very large pairs are split the way rapidfuzz's Hirschberg step splits them.

/// Aligns reference and hypothesis token ids (words interned by `TokenInterner`, or Unicode scalar values).
///
/// Tie-breaking between equal-cost alignments follows rapidfuzz (which jiwer 4 uses), walking back from the
/// end of the matrix `D` (`i` over the reference, `j` over the hypothesis):
/// 1. deletion if `D[i][j] == D[i-1][j] + 1`;
/// 2. else insertion if `j > 1` and `D[i][j-1] + 1 == D[i-1][j-1]`;
/// 3. else the diagonal (match or substitution).
/// So "a b" against "b a" is 1 hit, 1 deletion and 1 insertion, not 2 substitutions.
///
/// Known limit: when the reference left after the common prefix/suffix is longer than 64 tokens and the distance
/// is large (rapidfuzz's band wider than 64 but narrower than the matrix), rapidfuzz walks a banded bit matrix whose
/// cells outside the band default to "deletion"; on some very long, very different pairs (seen on 2,000+ character
/// pairs with hundreds of edits) its split of the same total into S/D/I then differs from this full matrix by a few.
/// The golden file (4,003 pairs up to ~600 characters) agrees exactly.
///
/// The aligner keeps one flat `Int32` matrix and an operation buffer that grow to the largest pair seen and are
/// reused, so scoring many pairs allocates nothing per pair. Not thread-safe: use one aligner per thread.
public struct EditAligner {
    private var table: [Int32] = []
    private var scratch: [EditOperation] = []
    /// The operations of the last `align` call, in order from the start of both sequences.
    public private(set) var operations: [EditOperation] = []

    public init() {}

    /// Counts only (the operations are still left in `operations`).
    @discardableResult
    public mutating func count(reference: [Int32], hypothesis: [Int32]) -> ErrorCounts {
        align(reference: reference, hypothesis: hypothesis)
        var c = ErrorCounts()
        for op in operations {
            switch op {
            case .match: c.hits += 1
            case .substitution: c.substitutions += 1
            case .deletion: c.deletions += 1
            case .insertion: c.insertions += 1
            }
        }
        return c
    }

    /// Aligns the two sequences; the result is in `operations`.
    public mutating func align(reference a: [Int32], hypothesis b: [Int32]) {
        operations.removeAll(keepingCapacity: true)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                // rapidfuzz's score cutoff: the exact distance when the longer side exceeds 62 tokens,
                // otherwise the longer length. It only matters for the Hirschberg size test, so the distance is
                // computed only when that test could pass.
                var limit = max(pa.count, pb.count)
                if limit > 62 && Self.mightSplit(pa.count, pb.count) {
                    limit = Self.distance(pa, pb)
                }
                alignSegment(pa, pb, limit: limit)
            }
        }
    }

    // MARK: - Recursion (rapidfuzz levenshtein_align_hirschberg)

    private static func mightSplit(_ n: Int, _ m: Int) -> Bool {
        n >= 65 && m >= 10 && 2 * n * m / 8 >= 1024 * 1024
    }

    private mutating func alignSegment(_ a0: UnsafeBufferPointer<Int32>, _ b0: UnsafeBufferPointer<Int32>,
                                       limit limit0: Int) {
        var a = a0[...], b = b0[...]
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[a.startIndex + prefix] == b[b.startIndex + prefix] {
            prefix += 1
        }
        a = a.dropFirst(prefix); b = b.dropFirst(prefix)
        var suffix = 0
        while suffix < a.count && suffix < b.count && a[a.endIndex - 1 - suffix] == b[b.endIndex - 1 - suffix] {
            suffix += 1
        }
        a = a.dropLast(suffix); b = b.dropLast(suffix)
        operations.append(contentsOf: repeatElement(.match, count: prefix))

        let n = a.count, m = b.count
        let limit = min(limit0, max(n, m))
        let fullBand = min(n, 2 * limit + 1)
        let sa = UnsafeBufferPointer(rebasing: a), sb = UnsafeBufferPointer(rebasing: b)
        if 2 * fullBand * m / 8 < 1024 * 1024 || n < 65 || m < 10 {
            alignFull(sa, sb)
        } else {
            let split = Self.hirschbergSplit(sa, sb)
            alignSegment(UnsafeBufferPointer(rebasing: sa[..<split.aMid]),
                         UnsafeBufferPointer(rebasing: sb[..<split.bMid]), limit: split.leftCost)
            alignSegment(UnsafeBufferPointer(rebasing: sa[split.aMid...]),
                         UnsafeBufferPointer(rebasing: sb[split.bMid...]), limit: split.rightCost)
        }
        operations.append(contentsOf: repeatElement(.match, count: suffix))
    }

    /// The full matrix and the rapidfuzz backtrace; appends the operations in forward order.
    private mutating func alignFull(_ a: UnsafeBufferPointer<Int32>, _ b: UnsafeBufferPointer<Int32>) {
        let n = a.count, m = b.count
        if n == 0 || m == 0 {
            operations.append(contentsOf: repeatElement(.deletion, count: n))
            operations.append(contentsOf: repeatElement(.insertion, count: m))
            return
        }
        let w = m + 1
        let cells = (n + 1) * w
        if table.count < cells { table = [Int32](repeating: 0, count: cells) }
        scratch.removeAll(keepingCapacity: true)
        table.withUnsafeMutableBufferPointer { d in
            for j in 0...m { d[j] = Int32(j) }
            for i in 1...n {
                let ai = a[i - 1]
                let row = i * w, up = row - w
                var left = Int32(i)
                d[row] = left
                for j in 1...m {
                    let diag = d[up + j - 1] &+ (ai == b[j - 1] ? 0 : 1)
                    let v = min(min(d[up + j], left) &+ 1, diag)
                    d[row + j] = v
                    left = v
                }
            }
            var i = n, j = m
            while i > 0 && j > 0 {
                let here = d[i * w + j]
                if here == d[(i - 1) * w + j] &+ 1 {
                    scratch.append(.deletion); i -= 1
                } else if j > 1 && d[i * w + j - 1] &+ 1 == d[(i - 1) * w + j - 1] {
                    scratch.append(.insertion); j -= 1
                } else {
                    scratch.append(a[i - 1] == b[j - 1] ? .match : .substitution)
                    i -= 1; j -= 1
                }
            }
            // rapidfuzz records the leftover deletions before the leftover insertions (both at the start).
            scratch.append(contentsOf: repeatElement(.insertion, count: j))
            scratch.append(contentsOf: repeatElement(.deletion, count: i))
        }
        operations.append(contentsOf: scratch.reversed())
    }

    // MARK: - Hirschberg split for very large pairs (rapidfuzz find_hirschberg_pos)

    private struct Split { var aMid: Int; var bMid: Int; var leftCost: Int; var rightCost: Int }

    /// Splits the hypothesis in half and picks the first reference position with the least total cost.
    private static func hirschbergSplit(_ a: UnsafeBufferPointer<Int32>, _ b: UnsafeBufferPointer<Int32>) -> Split {
        let n = a.count, m = b.count
        let bMid = m / 2
        let left = lastColumn(a, b, columns: bMid, reversed: false)      // left[k] = d(a[..<k], b[..<bMid])
        let right = lastColumn(a, b, columns: m - bMid, reversed: true)  // right[k] = d(a[(n-k)...], b[bMid...])
        var best = Split(aMid: 0, bMid: bMid, leftCost: left[0], rightCost: right[n])
        for k in 1...n where left[k] + right[n - k] < best.leftCost + best.rightCost {
            best = Split(aMid: k, bMid: bMid, leftCost: left[k], rightCost: right[n - k])
        }
        return best
    }

    /// Distances from every prefix of `a` to the first `columns` tokens of `b` (or, reversed, from every suffix
    /// of `a` to the last `columns` tokens of `b`, indexed by suffix length).
    private static func lastColumn(_ a: UnsafeBufferPointer<Int32>, _ b: UnsafeBufferPointer<Int32>,
                                   columns: Int, reversed: Bool) -> [Int] {
        let n = a.count, m = b.count
        var col = Array(0...n)
        guard columns > 0 else { return col }
        for j in 1...columns {
            let bj = reversed ? b[m - j] : b[j - 1]
            var diag = col[0]
            col[0] = j
            for i in 1...n {
                let ai = reversed ? a[n - i] : a[i - 1]
                let v = min(min(col[i], col[i - 1]) + 1, diag + (ai == bj ? 0 : 1))
                diag = col[i]
                col[i] = v
            }
        }
        return col
    }

    /// Plain Levenshtein distance in linear memory.
    static func distance(_ a: UnsafeBufferPointer<Int32>, _ b: UnsafeBufferPointer<Int32>) -> Int {
        lastColumn(a, b, columns: b.count, reversed: false)[a.count]
    }
}
