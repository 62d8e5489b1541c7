// The umbrella library: `import Omote` gives every layer.
@_exported import OmoteCapture
@_exported import OmoteCore
@_exported import OmoteMesh
@_exported import OmoteNeural
@_exported import OmotePipeline
@_exported import OmotePrivacy
@_exported import OmoteRig
@_exported import OmoteView
