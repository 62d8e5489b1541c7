import Foundation
import OmoteCore
import SystemPackage
import Testing

@Suite("OmoteError and MappedFile: one error shape that names the file, the reason and the fix")
struct ErrorAndFileTests {
    @Test("An error reads as what failed, on what, why, the errno, then what to do")
    func descriptionShape() {
        let error = OmoteError(
            .fileUnreadable,
            operation: "read the landmark model",
            subject: "/nowhere/model.dat",
            reason: "cannot open it",
            remedy: "Check the path and its permissions.",
            errno: .noSuchFileOrDirectory
        )
        #expect(error.description.hasPrefix("cannot read the landmark model (/nowhere/model.dat): cannot open it ["))
        #expect(error.description.hasSuffix("]. Check the path and its permissions."))
    }

    @Test("A missing file is unreadable with ENOENT as a typed errno")
    func missingFile() {
        #expect {
            _ = try MappedFile(path: "/nonexistent/omote-model.bin", what: "the model")
        } throws: { error in
            guard let error = error as? OmoteError else { return false }
            return error.code == .fileUnreadable && error.errno == .noSuchFileOrDirectory
                && error.subject == "/nonexistent/omote-model.bin"
        }
    }

    @Test("An empty file and a directory are refused with their own reasons")
    func emptyAndDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("omote-core-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("empty.bin")
        #expect(FileManager.default.createFile(atPath: empty.path, contents: Data()))
        #expect(throws: OmoteError.self) { _ = try MappedFile(path: empty.path) }
        do {
            _ = try MappedFile(path: empty.path)
        } catch {
            #expect(error.code == .fileEmpty)
        }
        do {
            _ = try MappedFile(path: directory.path)
        } catch {
            #expect(error.code == .fileUnreadable && error.reason.contains("not a regular file"))
        }
    }

    @Test("A mapped file exposes exactly the file's bytes")
    func mapsContents() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("omote-core-map-\(getpid()).bin").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3, 250])))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try MappedFile(path: path)
        #expect(Array(file.bytes) == [1, 2, 3, 250])
    }
}
