#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only; the model is read in place (the `.task` zip stores its members uncompressed).
final class MappedFile: @unchecked Sendable {
    let path: String
    let bytes: UnsafeRawBufferPointer

    init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw NeuralError(what: "cannot open the model", file: path, why: reason,
                              remedy: "Run Scripts/setup.sh (it fetches face_landmarker.task) "
                                  + "or set OMOTE_FACE_LANDMARKER")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw NeuralError.badModel(path, "not a regular file")
        }
        let size = Int(status.st_size)
        // The largest sane model here is a few MB; refuse anything absurd before mapping it.
        guard size > 0, size <= 1 << 30 else {
            throw NeuralError.badModel(path, "size \(size) bytes is outside 1 byte … 1 GiB")
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), base != MAP_FAILED else {
            throw NeuralError.badModel(path, "mmap failed: \(String(cString: strerror(errno)))")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }
}
