#!/usr/bin/env python3
"""Writes Tests/OmoteRigTests/Fixtures/sample-face.glb: a tiny skinned glTF 2.0 "face" (a square pyramid, apex towards
+z) written independently of Omote's loader and of the Swift test fixture builder, so the loader is checked against a
second writer. Standard library only; dev-time only (never run by the package).

Run from the repository root:  python3 Tools/make-sample-glb/make-sample-glb.py

Contents (what OmoteRigTests.sampleGLBFromDisk expects):
- 5 vertices: base square (±0.5, ±0.5, −0.15), apex (0, 0, 0.15) — already centred and one unit tall, so the
  loader's normalisation leaves it unchanged; 6 triangles, unsigned short indices; float normals.
- Nodes: Armature → Neck (0, −0.5, 0) → Head (0, +0.2, 0); "Face" mesh node skinned to [Neck, Head], every vertex
  fully on Head (JOINTS_0 unsigned byte, WEIGHTS_0 float), inverse bind matrices as float MAT4.
- Morph targets (mesh.extras.targetNames):
  0 "eyeBlink_L"      dense float:   apex +0.1 x
  1 "jawOpen"         sparse (no bufferView; unsigned byte indices 0, 1): −0.2 y
  2 "MouthSmileLeft"  dense normalized signed short: vertex 2 +(16384/32767) y
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "Tests", "OmoteRigTests", "Fixtures", "sample-face.glb")

FLOAT, UBYTE, SHORT, USHORT = 5126, 5121, 5122, 5123

binary = bytearray()
views = []
accessors = []


def add_view(data, stride=None):
    while len(binary) % 4:
        binary.append(0)
    view = {"buffer": 0, "byteOffset": len(binary), "byteLength": len(data)}
    if stride:
        view["byteStride"] = stride
    binary.extend(data)
    views.append(view)
    return len(views) - 1


def add_accessor(**fields):
    accessors.append(fields)
    return len(accessors) - 1


def floats(values):
    return struct.pack("<%df" % len(values), *values)


positions = [(-0.5, -0.5, -0.15), (0.5, -0.5, -0.15), (0.5, 0.5, -0.15), (-0.5, 0.5, -0.15), (0.0, 0.0, 0.15)]
flat = [c for p in positions for c in p]
pos = add_accessor(bufferView=add_view(floats(flat)), componentType=FLOAT, count=5, type="VEC3",
                   min=[min(p[i] for p in positions) for i in range(3)], max=[max(p[i] for p in positions) for i in range(3)])
normals = [(-0.577, -0.577, -0.577), (0.577, -0.577, -0.577), (0.577, 0.577, -0.577), (-0.577, 0.577, -0.577), (0, 0, 1)]
nrm = add_accessor(bufferView=add_view(floats([c for n in normals for c in n])), componentType=FLOAT, count=5, type="VEC3")
# Sides (counter-clockwise seen from outside), then the base facing −z.
tris = [0, 1, 4, 1, 2, 4, 2, 3, 4, 3, 0, 4, 0, 3, 2, 0, 2, 1]
idx = add_accessor(bufferView=add_view(struct.pack("<%dH" % len(tris), *tris)), componentType=USHORT, count=len(tris), type="SCALAR")
joints = add_accessor(bufferView=add_view(bytes([1, 0, 0, 0] * 5)), componentType=UBYTE, count=5, type="VEC4")
weights = add_accessor(bufferView=add_view(floats([1, 0, 0, 0] * 5)), componentType=FLOAT, count=5, type="VEC4")

blink = add_accessor(bufferView=add_view(floats([0, 0, 0] * 4 + [0.1, 0, 0])), componentType=FLOAT, count=5, type="VEC3")
jaw = add_accessor(componentType=FLOAT, count=5, type="VEC3", sparse={
    "count": 2,
    "indices": {"bufferView": add_view(bytes([0, 1])), "componentType": UBYTE},
    "values": {"bufferView": add_view(floats([0, -0.2, 0, 0, -0.2, 0]))},
})
# Signed shorts, 6 bytes per element padded to a stride of 8.
smile_rows = b"".join(struct.pack("<3hxx", 0, 16384 if v == 2 else 0, 0) for v in range(5))
smile = add_accessor(bufferView=add_view(smile_rows, stride=8), componentType=SHORT, normalized=True, count=5, type="VEC3")


def translation_inverse(ty):
    return [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, -ty, 0, 1]


ibm = add_accessor(bufferView=add_view(floats(translation_inverse(-0.5) + translation_inverse(-0.3))),
                   componentType=FLOAT, count=2, type="MAT4")

document = {
    "asset": {"version": "2.0", "generator": "Omote Tools/make-sample-glb"},
    "scene": 0,
    "scenes": [{"nodes": [0, 3]}],
    "nodes": [
        {"name": "Armature", "children": [1]},
        {"name": "Neck", "translation": [0, -0.5, 0], "children": [2]},
        {"name": "Head", "translation": [0, 0.2, 0]},
        {"name": "Face", "mesh": 0, "skin": 0},
    ],
    "skins": [{"joints": [1, 2], "inverseBindMatrices": ibm}],
    "meshes": [{
        "name": "Face",
        "primitives": [{
            "attributes": {"POSITION": pos, "NORMAL": nrm, "JOINTS_0": joints, "WEIGHTS_0": weights},
            "indices": idx,
            "targets": [{"POSITION": blink}, {"POSITION": jaw}, {"POSITION": smile}],
        }],
        "extras": {"targetNames": ["eyeBlink_L", "jawOpen", "MouthSmileLeft"]},
    }],
    "accessors": accessors,
    "bufferViews": views,
    "buffers": [{"byteLength": len(binary)}],
}

json_bytes = json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
json_bytes += b" " * (-len(json_bytes) % 4)
binary.extend(b"\0" * (-len(binary) % 4))
total = 12 + 8 + len(json_bytes) + 8 + len(binary)
with open(OUT, "wb") as f:
    f.write(struct.pack("<4sII", b"glTF", 2, total))
    f.write(struct.pack("<II", len(json_bytes), 0x4E4F534A) + json_bytes)
    f.write(struct.pack("<II", len(binary), 0x004E4942) + bytes(binary))
print("wrote", os.path.relpath(OUT), total, "bytes")
