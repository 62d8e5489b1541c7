extension V4L2Camera {
    /// The negotiated frame size bounds every decoded frame: an MJPEG header claiming more is a corrupt frame.
    public var maximumFramePixels: Int { format.size.width * format.size.height }
}
