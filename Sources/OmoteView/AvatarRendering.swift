/// Draws the avatar for a view state into the rasteriser's picture (cleared by the caller).
public protocol AvatarRendering: AnyObject {
    func render(_ model: LiveViewModel, into rasterizer: SoftwareRasterizer)
}
