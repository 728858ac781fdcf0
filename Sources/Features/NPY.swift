// NumPy .npy files (format 1.0): reading float32/float64 arrays (goldens) and writing float32 matrices,
// streamed row by row with the shape patched in at the end; the file appears atomically (temp + rename).
import Foundation

/// A loaded .npy array, converted to Float32.
public struct NPYArray {
    public var shape: [Int]
    public var data: [Float]
}

public enum NPY {
    /// Reads a little-endian float32 or float64, C-order .npy file.
    public static func read(_ path: String) throws -> NPYArray {
        guard let bytes = FileManager.default.contents(atPath: path) else { throw FeaturesError.io(path: path, reason: "cannot read file") }
        guard bytes.count >= 10, bytes.prefix(6) == Data([0x93] + Array("NUMPY".utf8)) else {
            throw FeaturesError.badNPY(path: path, reason: "missing magic string")
        }
        let major = bytes[6]
        let headerLen: Int, headerStart: Int
        if major == 1 {
            headerLen = Int(bytes[8]) | Int(bytes[9]) << 8; headerStart = 10
        } else {
            guard bytes.count >= 12 else { throw FeaturesError.badNPY(path: path, reason: "truncated header") }
            headerLen = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24; headerStart = 12
        }
        guard bytes.count >= headerStart + headerLen else { throw FeaturesError.badNPY(path: path, reason: "truncated header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLen)], as: UTF8.self)
        guard !header.contains("'fortran_order': True") else { throw FeaturesError.badNPY(path: path, reason: "Fortran order not supported") }
        let width: Int
        if header.contains("'<f4'") { width = 4 } else if header.contains("'<f8'") { width = 8 } else {
            throw FeaturesError.badNPY(path: path, reason: "dtype must be <f4 or <f8: \(header)")
        }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw FeaturesError.badNPY(path: path, reason: "no shape in header")
        }
        let shape = header[open.upperBound..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let count = shape.reduce(1, *)
        let start = headerStart + headerLen
        guard bytes.count - start >= count * width else {
            throw FeaturesError.badNPY(path: path, reason: "data truncated: need \(count * width) bytes, have \(bytes.count - start)")
        }
        var data = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                if width == 4 {
                    data[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self)))
                } else {
                    data[i] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * i, as: UInt64.self))))
                }
            }
        }
        return NPYArray(shape: shape, data: data)
    }

    /// Writes a [rows, cols] float32 matrix.
    public static func write(_ m: FeatureMatrix, to path: String) throws {
        let w = try NPYWriter(path: path, columns: m.dim)
        try w.append(m.data)
        try w.close()
    }
}

/// Streams a float32 [rows, columns] matrix to a .npy file; rows are counted and the header is
/// rewritten at `close()`, which moves the temporary file into place.
public final class NPYWriter {
    public let path: String
    public let columns: Int
    public private(set) var rows = 0
    private let tempPath: String
    private let handle: FileHandle
    private static let headerSize = 128

    public init(path: String, columns: Int) throws {
        self.path = path
        self.columns = columns
        tempPath = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: tempPath, contents: nil),
              let h = FileHandle(forWritingAtPath: tempPath) else {
            throw FeaturesError.io(path: path, reason: "cannot create output file (does the directory exist and is it writable?)")
        }
        handle = h
        do { try handle.write(contentsOf: Self.header(rows: 0, columns: columns)) } catch {
            throw FeaturesError.io(path: path, reason: "write failed: \(error.localizedDescription)")
        }
    }

    static func header(rows: Int, columns: Int) -> Data {
        var dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        let fixed = 10
        while (fixed + dict.count + 1) < headerSize { dict += " " }
        dict += "\n"
        var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let len = UInt16(dict.utf8.count)
        d.append(contentsOf: [UInt8(len & 0xFF), UInt8(len >> 8)])
        d.append(contentsOf: Array(dict.utf8))
        return d
    }

    /// Appends whole rows (values.count must be a multiple of `columns`).
    public func append(_ values: [Float]) throws {
        precondition(values.count % columns == 0, "NPYWriter.append: \(values.count) values is not whole rows of \(columns)")
        guard !values.isEmpty else { return }
        let data = values.withUnsafeBufferPointer { Data(buffer: $0) }  // x86-64 and arm64 are little-endian
        do { try handle.write(contentsOf: data) } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: tempPath)
            throw FeaturesError.io(path: path, reason: "write failed: \(error.localizedDescription)")
        }
        rows += values.count / columns
    }

    /// Patches the shape into the header and renames the file into place.
    public func close() throws {
        do {
            try handle.seek(toOffset: 0)
            try handle.write(contentsOf: Self.header(rows: rows, columns: columns))
            try handle.synchronize()
            try handle.close()
        } catch {
            try? FileManager.default.removeItem(atPath: tempPath)
            throw FeaturesError.io(path: path, reason: "write failed: \(error.localizedDescription)")
        }
        if rename(tempPath, path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: tempPath)
            throw FeaturesError.io(path: path, reason: "cannot move output into place: \(reason)")
        }
    }

    /// Removes the temporary file without producing output.
    public func abandon() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: tempPath)
    }
}
