// OmoteRig: a 3D character held in memory (glTF/GLB/VRM morph targets + head bone, built-in default avatar),
// deformed by the solver's weights and head pose. See issue "Rig".
