// A strict look at RIFF/WAVE headers before libsndfile opens them: libsndfile accepts a WAV whose data
// chunk is shorter than its header says, so truncation is detected here. Other containers pass through.
import Foundation

enum WAVHeaderCheck {
    /// Throws `.truncated` when a RIFF/WAVE file's data chunk claims more bytes than the file holds, and
    /// `.unreadable` when the RIFF header itself is cut short.
    static func checkFile(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw AudioError.unreadable(path: path, reason: "cannot open for reading")
        }
        defer { try? handle.close() }
        let fileSize = (try? handle.seekToEnd()).map(Int.init) ?? 0
        try? handle.seek(toOffset: 0)
        let head = (try? handle.read(upToCount: 65_536)) ?? Data()
        guard head.count >= 4, head.prefix(4) == Data("RIFF".utf8) else { return }
        guard head.count >= 12, head[8..<12] == Data("WAVE".utf8) else {
            throw AudioError.unreadable(path: path, reason: "RIFF header cut short or not WAVE")
        }
        var offset = 12
        var sawFormat = false
        while offset + 8 <= head.count {
            let id = String(decoding: head[offset..<offset + 4], as: UTF8.self)
            let size = Int(head.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)) })
            if id == "fmt " { sawFormat = true }
            if id == "data" {
                guard sawFormat else { throw AudioError.unreadable(path: path, reason: "data chunk before fmt chunk") }
                let available = fileSize - (offset + 8)
                // 0 and 0xFFFFFFFF are what streaming writers leave when they cannot seek back.
                if size != 0, size != 0xFFFF_FFFF, size > available {
                    throw AudioError.truncated(path: path, expectedBytes: size, actualBytes: max(available, 0))
                }
                return
            }
            offset += 8 + size + (size & 1)
        }
        // Chunks beyond the bytes looked at: libsndfile decides.
        if offset + 8 <= fileSize && head.count == 65_536 { return }
        throw AudioError.unreadable(path: path, reason: "WAV header truncated: no data chunk")
    }
}
