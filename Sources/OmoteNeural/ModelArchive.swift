import OmoteCore

/// A stored (uncompressed) zip of TFLite models and their metadata, read in place from a mapping, never unpacked:
/// one network planned alone, several planned from one mapping, or a non-network member copied out, all with the
/// zip reader's bounds and CRC checks. Knows no model by name: callers say which members they want.
public enum ModelArchive {
    /// Maps the archive at `path`; a missing file is `.neuralModelMissing`, anything absurdly large is refused.
    public static func map(_ path: String) throws(OmoteError) -> MappedFile {
        let file: MappedFile
        do {
            file = try MappedFile(path: path, what: "the model file")
        } catch  where error.errno == .noSuchFileOrDirectory {
            throw OmoteError(
                .neuralModelMissing,
                operation: "load the model file",
                subject: path,
                reason: "no such file",
                remedy: "Check the model file's path.",
                errno: error.errno
            )
        }
        // Refuse anything absurd before parsing it (the networks this engine runs are a few MB).
        guard file.bytes.count <= 1 << 30 else {
            throw OmoteError.badModel(path, "size \(file.bytes.count) bytes is over 1 GiB")
        }
        return file
    }

    /// The bytes of `member` in the archive at `path`. Called once at load; it copies (members are small).
    public static func bytes(named member: String, archivePath path: String) throws(OmoteError) -> [UInt8] {
        let file = try map(path)
        let archive = try ZipDirectory(CheckedBytes(bytes: file.bytes, file: path))
        return Array(try archive.member(named: member, file: path))
    }

    /// The network `member` of the archive at `path`, planned; with `arena`, its activations share that memory with
    /// the other networks planned on it.
    public static func network(
        named member: String, archivePath path: String, sharing arena: SharedActivationArena? = nil
    ) throws(OmoteError) -> NeuralNetwork {
        try networks(named: [member], archivePath: path, sharing: arena)[0]
    }

    /// The networks `members`, in that order, planned from one mapping of the archive (plan the largest first when
    /// they share `arena`: the first sizes it).
    public static func networks(
        named members: [String], archivePath path: String, sharing arena: SharedActivationArena? = nil
    ) throws(OmoteError) -> [NeuralNetwork] {
        let file = try map(path)
        let archive = try ZipDirectory(CheckedBytes(bytes: file.bytes, file: path))
        var planned: [NeuralNetwork] = []
        for member in members {
            let model = try TFLiteModel(try archive.member(named: member, file: path), file: path + ":" + member)
            planned.append(try NeuralNetwork(name: member, model: model, arena: arena))
        }
        // Planning copied every weight, so the mapping can go now.
        _ = consume file
        return planned
    }
}
