import OmoteCore
import OmoteRig

extension RigModel {
    /// The avatar at `path` (glTF, GLB or VRM), or the built-in one for nil.
    static func load(avatarAt path: String?, progress: (String) -> Void) throws(OmoteError) -> RigModel {
        guard let path else { return RigModel.defaultAvatar() }
        progress("loading avatar \(path)…")
        return try RigModel.load(contentsOfFile: path)
    }
}
