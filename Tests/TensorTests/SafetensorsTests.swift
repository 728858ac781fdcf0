// Safetensors: round trip, header layout, and a TensorError (never a crash) for truncated,
// corrupted, wrong-dtype and missing-tensor inputs.
import XCTest
import Foundation
@testable import Tensor

final class SafetensorsTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("scribe-safetensors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func sample() -> [String: Tensor] {
        ["encoder.weight": randomTensor([3, 4], seed: 1), "bias": Tensor([1, -2.5, 3e-8]), "scalar": Tensor(scalar: 7),
         "empty": Tensor.zeros([0, 3])]
    }

    func testRoundTrip() throws {
        let path = dir.appendingPathComponent("model.safetensors").path
        try Safetensors.write(sample(), metadata: ["format": "pt", "step": "12"], to: path)
        let (tensors, meta) = try Safetensors.read(path)
        XCTAssertEqual(meta, ["format": "pt", "step": "12"])
        XCTAssertEqual(Set(tensors.keys), Set(sample().keys))
        for (name, t) in sample() {
            XCTAssertEqual(tensors[name]!.shape, t.shape, name)
            XCTAssertEqual(tensors[name]!.data, t.data, name)
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        XCTAssertEqual(leftovers, ["model.safetensors"], "no temp file left behind")
    }

    func testHeaderLayout() throws {
        let bytes = Safetensors.encode(["a": Tensor([1, 2])])
        let n = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(n % 8, 0)
        XCTAssertEqual(bytes.count, 8 + n + 8)
        let json = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + n))) as! [String: Any]
        let a = json["a"] as! [String: Any]
        XCTAssertEqual(a["dtype"] as? String, "F32")
        XCTAssertEqual(a["data_offsets"] as? [Int], [0, 8])
    }

    func testErrors() throws {
        let good = Safetensors.encode(sample())
        func error(_ data: Data) -> TensorError? {
            do { _ = try SafetensorsFile(bytes: data).allTensors(); return nil } catch { return error as? TensorError }
        }
        guard case .truncated = error(good.prefix(5)) else { return XCTFail("short file") }
        guard case .truncated = error(good.prefix(good.count - 3)) else { return XCTFail("cut data") }
        guard case .truncated = error(good.prefix(20)) else { return XCTFail("cut header") }
        var garbage = good
        garbage[10] = 0xFF
        guard case .corruptHeader = error(garbage) else { return XCTFail("bad JSON") }
        var huge = good
        huge[7] = 0x7F
        guard case .corruptHeader = error(huge) else { return XCTFail("absurd header length") }
        guard case .corruptHeader = error(file(header: #"{"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#, data: 12)) else {
            return XCTFail("size mismatch")
        }
        guard case .corruptHeader = error(file(header: #"{"x": {"dtype": "F32", "shape": [2]}}"#, data: 8)) else {
            return XCTFail("missing offsets")
        }
        let f16 = try SafetensorsFile(bytes: file(header: #"{"h": {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]}}"#, data: 4))
        XCTAssertThrowsError(try f16.tensor("h")) { XCTAssertEqual($0 as? TensorError, .unsupportedDType(name: "h", dtype: "F16")) }
        let ok = try SafetensorsFile(bytes: good)
        XCTAssertThrowsError(try ok.tensor("nope")) {
            guard case .missingTensor(let name, _) = $0 as! TensorError else { return XCTFail() }
            XCTAssertEqual(name, "nope")
        }
        XCTAssertThrowsError(try SafetensorsFile(path: dir.appendingPathComponent("absent").path))
        XCTAssertThrowsError(try Safetensors.write(sample(), to: "/nonexistent-dir/x.safetensors"))
    }

    /// A file with the given JSON header and `data` zero bytes after it.
    func file(header: String, data: Int) -> Data {
        let json = Data(header.utf8)
        var n = UInt64(json.count).littleEndian
        var out = Data()
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        return out + json + Data(count: data)
    }
}

/// A file written by Python's `safetensors` 0.8.0, so the reader is checked against the reference
/// writer without Python at test time. Regenerate: .venv-torch/bin/python scripts/safetensors-roundtrip.py --fixture
final class SafetensorsPythonFixtureTests: XCTestCase {
    static let pythonFile = """
        2AAAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJzb3VyY2UiOiJweXRob24ifSwiYmlhcyI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMl0sImRhdGFfb2Zmc2V0cyI6WzAsOF19LCJ3ZWlnaHQiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzIsM10sImRhdGFfb2Zmc2V0cyI6WzgsMzJdfSwiaGFsZiI6eyJkdHlwZSI6IkYxNiIsInNoYXBlIjpbMl0sImRhdGFfb2Zmc2V0cyI6WzMyLDM2XX19ICAgICAAAMC/WdkAMwAAAAAAAIA+AAAAPwAAQD8AAIA/AACgPwA8AEA=
        """

    func testReadsPythonWrittenFile() throws {
        let f = try SafetensorsFile(bytes: Data(base64Encoded: Self.pythonFile)!)
        XCTAssertEqual(f.metadata, ["source": "python"])
        XCTAssertEqual(f.names, ["bias", "half", "weight"])
        let w = try f.tensor("weight")
        XCTAssertEqual(w.shape, [2, 3])
        XCTAssertEqual(w.data, [0, 0.25, 0.5, 0.75, 1, 1.25])
        XCTAssertEqual(try f.tensor("bias").data, [-1.5, 3e-8])
        XCTAssertThrowsError(try f.tensor("half"))
    }
}
