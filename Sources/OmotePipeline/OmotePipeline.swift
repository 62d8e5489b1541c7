// OmotePipeline wires the layers: frame source → RGB → detect/track → mesh → blendshapes and pose → rig, under the
// privacy guard.
