#!/usr/bin/env python3
"""Reference luma checksums for SampleFrames, made with an independent decoder (Pillow's own bundled libjpeg).

draft('L', size) makes libjpeg emit the JPEG's Y channel directly (no colour-to-grey conversion), with the default
accurate integer IDCT. Prints: clip, file, width, height, FNV-1a-64 of the row-major luma bytes.

Run (dev time only, never at run time):
  python3 -m venv /tmp/pillow-venv && /tmp/pillow-venv/bin/pip install pillow==11.3.0
  /tmp/pillow-venv/bin/python Tools/reference/luma-checksums.py SampleFrames > Tests/OmoteCaptureTests/Fixtures/luma-fnv1a64.tsv
"""
import os
import sys

from PIL import Image


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


root = sys.argv[1]
print("clip\tfile\twidth\theight\tfnv1a64")
for clip in ("single_face", "face_noface", "no_face"):
    for name in sorted(os.listdir(os.path.join(root, clip))):
        if not name.endswith(".jpg"):
            continue
        with Image.open(os.path.join(root, clip, name)) as im:
            im.draft("L", im.size)
            assert im.mode == "L", im.mode
            luma = im.tobytes()
            print(f"{clip}\t{name}\t{im.width}\t{im.height}\t{fnv1a64(luma):016x}")
