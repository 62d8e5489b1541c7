#!/usr/bin/env python3
"""OpenCV reference detections for SampleFrames (dev time only, never at run time).

Decodes every frame listed in SampleFrames/<clip>/manifest.tsv to luma exactly as Omote does (Pillow's libjpeg with
draft('L'): the JPEG's Y plane, accurate integer IDCT; checked here against the FNV-1a-64 checksums of Omote's own
decoder in Tests/OmoteCaptureTests/Fixtures/luma-fnv1a64.tsv), then runs OpenCV 4's
CascadeClassifier.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=3, flags=0, minSize=(0,0)) single-threaded
with three cascades of Debian's opencv-data (lbp, haar, alt2), plus two cascades with tilted Haar features on every
4th frame (smile, eyeglasses). Output rows: clip, frame, cascade, count, boxes "x,y,w,h x,y,w,h ..."
(sorted by x, y, w, h).

Run:
  Tools/reference/opencv/setup.sh /tmp/cvenv
  /tmp/cvenv/bin/python Tools/reference/opencv/make-fixture.py > Tests/OmoteVisionTests/Fixtures/opencv-detections.tsv
"""
import os
import sys

import cv2
import numpy as np
from PIL import Image

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CLIPS = ("single_face", "face_noface", "no_face")
CASCADES = {
    "lbp": "/usr/share/opencv4/lbpcascades/lbpcascade_frontalface_improved.xml",
    "haar": "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml",
    "alt2": "/usr/share/opencv4/haarcascades/haarcascade_frontalface_alt2.xml",
}
# Cascades with 45° tilted Haar features (smile: stumps; eyeglasses: trees), on every 4th frame of each clip.
TILTED = {
    "smile": "/usr/share/opencv4/haarcascades/haarcascade_smile.xml",
    "eyeglasses": "/usr/share/opencv4/haarcascades/haarcascade_eye_tree_eyeglasses.xml",
}


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def checksums():
    table = {}
    with open(os.path.join(ROOT, "Tests/OmoteCaptureTests/Fixtures/luma-fnv1a64.tsv")) as f:
        for line in f.read().splitlines()[1:]:
            clip, name, _, _, digest = line.split("\t")
            table[(clip, name)] = int(digest, 16)
    return table


def frames():
    """(clip, index, file name) for every frame of every clip's manifest."""
    for clip in CLIPS:
        with open(os.path.join(ROOT, "SampleFrames", clip, "manifest.tsv")) as f:
            for line in f.read().splitlines()[1:]:
                index, _, name = line.split("\t")
                yield clip, int(index), name


def decode_luma(path: str) -> np.ndarray:
    with Image.open(path) as im:
        im.draft("L", im.size)
        assert im.mode == "L", im.mode
        return np.asarray(im, dtype=np.uint8).copy()


def upscale2x(luma: np.ndarray) -> np.ndarray:
    """The 1280×720 speed frames: every pixel repeated 2×2 (trivially identical in Swift)."""
    return np.repeat(np.repeat(luma, 2, axis=0), 2, axis=1)


def detect(classifier, luma):
    boxes = classifier.detectMultiScale(luma, scaleFactor=1.1, minNeighbors=3, flags=0, minSize=(0, 0))
    return sorted(tuple(int(v) for v in b) for b in boxes)


def main():
    cv2.setNumThreads(1)
    cv2.setUseOptimized(True)
    sums = checksums()
    classifiers = {name: cv2.CascadeClassifier(path) for name, path in {**CASCADES, **TILTED}.items()}
    for name, c in classifiers.items():
        assert not c.empty(), name
    print(f"# OpenCV {cv2.__version__} detectMultiScale(scaleFactor=1.1, minNeighbors=3, flags=0, minSize=(0,0)), "
          f"setNumThreads(1); luma from Pillow {Image.__version__} draft('L') (checked against luma-fnv1a64.tsv)")
    print("# made by: /tmp/cvenv/bin/python Tools/reference/opencv/make-fixture.py > "
          "Tests/OmoteVisionTests/Fixtures/opencv-detections.tsv")
    print("clip\tframe\tcascade\tcount\tboxes")
    for clip, index, name in frames():
        luma = decode_luma(os.path.join(ROOT, "SampleFrames", clip, name))
        digest = fnv1a64(luma.tobytes())
        if sums.get((clip, name)) != digest:
            sys.exit(f"luma of {clip}/{name} differs from Omote's decoder checksum ({digest:016x})")
        for cascade, classifier in classifiers.items():
            if cascade in TILTED and index % 4 != 0:
                continue
            boxes = detect(classifier, luma)
            text = " ".join(f"{x},{y},{w},{h}" for x, y, w, h in boxes)
            print(f"{clip}\t{index}\t{cascade}\t{len(boxes)}\t{text}")


if __name__ == "__main__":
    main()
