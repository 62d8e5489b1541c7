// OmotePipeline wires the layers: frame source → luma → detect/track → landmarks → solve → rig, under the privacy guard.
