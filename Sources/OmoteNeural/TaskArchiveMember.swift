import OmoteCore

/// Single members of a `.task` archive: one network planned alone (so a stage or a test that needs only the
/// blendshape network does not plan all three), or a non-network member such as the face geometry metadata, copied
/// out of the stored zip with the same bounds and CRC checks as the networks.
public enum TaskArchiveMember {
    /// The bytes of `member` in the archive at `path`. Called once at load; it copies (members are small).
    public static func bytes(named member: String, archivePath path: String) throws -> [UInt8] {
        let file = try FaceLandmarkerNetworks.map(path)
        let archive = try ZipDirectory(CheckedBytes(bytes: file.bytes, file: path))
        let data = try archive.member(named: member, file: path)
        return Array(data)
    }

    /// The network `member` (e.g. `FaceLandmarkerNetworks.blendshapesMember`) of the archive at `path`, planned; with
    /// `arena`, its activations share that memory with the other networks planned on it.
    public static func network(
        named member: String, archivePath path: String, sharing arena: SharedActivationArena? = nil
    ) throws -> NeuralNetwork {
        let file = try FaceLandmarkerNetworks.map(path)
        let archive = try ZipDirectory(CheckedBytes(bytes: file.bytes, file: path))
        let model = try TFLiteModel(try archive.member(named: member, file: path), file: path + ":" + member)
        let network = try NeuralNetwork(name: member, model: model, arena: arena)
        // Planning copied every weight, so the mapping can go now.
        _ = file
        return network
    }
}
