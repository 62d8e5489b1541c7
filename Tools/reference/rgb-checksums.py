#!/usr/bin/env python3
"""Reference RGB checksums for SampleFrames: the bytes MediaPipe's Face Landmarker is fed in our fixtures.

MediaPipe's Python tasks API takes an `mp.Image` the caller decodes; Tools/reference/mediapipe/make-fixture.py (like
MediaPipe's own examples) uses OpenCV: cv2.imread (libjpeg-turbo, accurate integer IDCT, "fancy" chroma upsampling)
then cv2.cvtColor BGR → RGB. Prints: clip, file, width, height, FNV-1a-64 of the row-major RGB bytes.

Run (dev time only, never at run time; the venv is the MediaPipe one, which has opencv-python-headless 4.10.0.84):
  Tools/reference/mediapipe/venv.sh Tools/reference/build/mediapipe-venv
  Tools/reference/build/mediapipe-venv/bin/python Tools/reference/rgb-checksums.py SampleFrames \
    > Tests/OmoteCaptureTests/Fixtures/rgb-imread-fnv1a64.tsv
"""
import os
import sys

import cv2
import numpy as np


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
        bgr = cv2.imread(os.path.join(root, clip, name), cv2.IMREAD_COLOR)
        rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        print(f"{clip}\t{name}\t{rgb.shape[1]}\t{rgb.shape[0]}\t{fnv1a64(rgb.tobytes()):016x}")
