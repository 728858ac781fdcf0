// Audio files through libsndfile: WAV (PCM 8/16/24/32-bit, float), FLAC, OGG/Vorbis, and whatever else
// libsndfile reads. Checks WAV data chunks against the file size, since libsndfile quietly reads short files.
import CSndfile
import Foundation

/// Reads an audio file incrementally with libsndfile.
public final class SndfileSource: PCMSource {
    public let path: String
    public let sampleRate: Int
    public let channels: Int
    public let isFloat: Bool
    /// Frames the header announces (may be unknown for some containers).
    public let frames: Int64
    private var file: OpaquePointer?
    private var framesRead: Int64 = 0

    /// Opens `path`; throws `AudioError` when it is missing, not audio, truncated or of an unsupported format.
    public init(path: String) throws {
        self.path = path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw AudioError.fileNotFound(path: path)
        }
        if isDir.boolValue { throw AudioError.unreadable(path: path, reason: "is a directory") }
        try WAVHeaderCheck.checkFile(path: path)
        var info = SF_INFO()
        guard let handle = sf_open(path, Int32(SFM_READ), &info) else {
            let reason = String(cString: sf_strerror(nil))
            throw AudioError.unreadable(path: path, reason: reason)
        }
        file = handle
        sampleRate = Int(info.samplerate)
        channels = Int(info.channels)
        frames = info.frames
        let subtype = info.format & Int32(SF_FORMAT_SUBMASK)
        isFloat = subtype == Int32(SF_FORMAT_FLOAT) || subtype == Int32(SF_FORMAT_DOUBLE)
            || subtype == Int32(SF_FORMAT_VORBIS)
        do {
            try RawPCMFormat(encoding: .f32le, sampleRate: sampleRate, channels: channels).validate(path: path)
        } catch {
            sf_close(handle)
            file = nil
            throw error
        }
        // libsndfile scales floats to [-1, 1] for integer formats; keep float files unscaled.
        sf_command(handle, Int32(SFC_SET_NORM_FLOAT), nil, Int32(SF_TRUE))
    }

    deinit { if let file { sf_close(file) } }

    public func read(into buffer: UnsafeMutablePointer<Float>, maxFrames: Int) throws -> Int {
        guard let file else { return 0 }
        let n = sf_readf_float(file, buffer, sf_count_t(maxFrames))
        if n < 0 { throw AudioError.readFailed(path: path, reason: String(cString: sf_strerror(file))) }
        if n == 0 {
            let err = sf_error(file)
            if err != 0 { throw AudioError.readFailed(path: path, reason: String(cString: sf_strerror(file))) }
        }
        framesRead += Int64(n)
        return Int(n)
    }
}
