// Safetensors: read and write the safetensors format (8-byte little-endian header length, a JSON
// header {name: {dtype, shape, data_offsets}, "__metadata__": {…}}, then raw little-endian data).
// F32 only. Every malformed input becomes a TensorError; writes are atomic (temp file + rename).
import Foundation

/// An opened safetensors file: the header is parsed and checked up front, tensors on demand.
public struct SafetensorsFile {
    public struct Entry: Equatable {
        public let dtype: String
        public let shape: [Int]
        /// Byte range within the data section (after the header).
        public let begin: Int, end: Int
    }

    public let path: String
    public let metadata: [String: String]
    public let entries: [String: Entry]
    let bytes: Data
    let dataStart: Int

    public var names: [String] { entries.keys.sorted() }

    public init(path: String) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw TensorError.fileUnreadable(path: path, reason: error.localizedDescription)
        }
        try self.init(bytes: data, path: path)
    }

    /// Parses bytes already in memory (`path` names them in errors).
    public init(bytes data: Data, path: String = "<memory>") throws {
        self.path = path
        bytes = data
        guard data.count >= 8 else { throw TensorError.truncated(path: path, needed: 8, available: data.count) }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(data[data.startIndex + i]) << (8 * UInt64(i)) }
        guard n <= 100_000_000 else { throw TensorError.corruptHeader(path: path, reason: "header length \(n) is implausible") }
        let headerLen = Int(n)
        guard data.count >= 8 + headerLen else { throw TensorError.truncated(path: path, needed: 8 + headerLen, available: data.count) }
        dataStart = 8 + headerLen
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: data.subdata(in: (data.startIndex + 8)..<(data.startIndex + dataStart))) } catch {
            throw TensorError.corruptHeader(path: path, reason: "header is not JSON (\(error.localizedDescription))")
        }
        guard let header = json as? [String: Any] else { throw TensorError.corruptHeader(path: path, reason: "header is not a JSON object") }
        var meta: [String: String] = [:]
        var found: [String: Entry] = [:]
        let available = data.count - dataStart
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw TensorError.corruptHeader(path: path, reason: "__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw TensorError.corruptHeader(path: path, reason: "metadata \(k) is not a string") }
                    meta[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = SafetensorsFile.ints(info["shape"]), let offsets = SafetensorsFile.ints(info["data_offsets"]),
                  offsets.count == 2, shape.allSatisfy({ $0 >= 0 })
            else { throw TensorError.corruptHeader(path: path, reason: "entry \(name) lacks dtype, shape or data_offsets") }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, end >= begin else { throw TensorError.corruptHeader(path: path, reason: "entry \(name) has offsets \(offsets)") }
            guard end <= available else { throw TensorError.truncated(path: path, needed: dataStart + end, available: data.count) }
            if dtype == "F32" && end - begin != 4 * Tensor.count(of: shape) {
                throw TensorError.corruptHeader(path: path, reason: "entry \(name): \(end - begin) bytes for F32 shape \(shape)")
            }
            found[name] = Entry(dtype: dtype, shape: shape, begin: begin, end: end)
        }
        metadata = meta
        entries = found
    }

    static func ints(_ v: Any?) -> [Int]? {
        guard let a = v as? [Any] else { return nil }
        var out: [Int] = []
        for x in a {
            guard let n = x as? Int else { return nil }   // exact: 1.5 or "1" do not convert
            out.append(n)
        }
        return out
    }

    /// The named tensor (F32), or missingTensor / unsupportedDType.
    public func tensor(_ name: String) throws -> Tensor {
        guard let e = entries[name] else { throw TensorError.missingTensor(name: name, available: names) }
        guard e.dtype == "F32" else { throw TensorError.unsupportedDType(name: name, dtype: e.dtype) }
        let n = (e.end - e.begin) / 4
        let start = bytes.startIndex + dataStart + e.begin
        var values = [Float](repeating: 0, count: n)
        values.withUnsafeMutableBytes { dst in
            _ = bytes.copyBytes(to: dst, from: start..<(start + 4 * n))
        }
        #if _endian(big)
        values = values.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
        #endif
        return Tensor(shape: e.shape, data: values)
    }

    /// Every tensor by name.
    public func allTensors() throws -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for name in names { out[name] = try tensor(name) }
        return out
    }
}

public enum Safetensors {
    /// Writes `tensors` (F32) and `metadata` to `path` atomically: a temp file in the same
    /// directory, then rename, so a reader never sees half a file.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to path: String) throws {
        let file = encode(tensors, metadata: metadata)
        let url = URL(fileURLWithPath: path)
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        do {
            try file.write(to: tmp)
        } catch {
            throw TensorError.fileUnwritable(path: path, reason: error.localizedDescription)
        }
        if rename(tmp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: tmp)
            throw TensorError.fileUnwritable(path: path, reason: reason)
        }
    }

    /// The bytes of a safetensors file (names sorted, data in that order, header padded to 8 bytes).
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let t = tensors[name]!
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.count]] as [String: Any]
            offset += 4 * t.count
        }
        var json = try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        var n = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(json)
        for name in names {
            tensors[name]!.data.withUnsafeBytes { out.append(contentsOf: $0) }   // host is little-endian (x86-64, arm64)
        }
        return out
    }

    /// Reads every tensor and the metadata of a file.
    public static func read(_ path: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let f = try SafetensorsFile(path: path)
        return (try f.allTensors(), f.metadata)
    }
}
