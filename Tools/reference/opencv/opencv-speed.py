#!/usr/bin/env python3
"""OpenCV's side of the detection comparison in Benchmarks/compare-peers.sh: single-threaded detectMultiScale timing
on the same frames as `PeerTiming detection` (every 6th frame of single_face and face_noface, luma decoded as Omote
does, and the same frames repeated 2×2 to 1280×720). Prints "speed <cascade> <w>x<h> <median ms per frame>"."""
import os
import sys
import time

import cv2
import numpy as np
from PIL import Image

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CASCADES = {
    "lbp": "/usr/share/opencv4/lbpcascades/lbpcascade_frontalface_improved.xml",
    "haar": "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml",
}


def frames():
    out = []
    for clip, count in (("single_face", 72), ("face_noface", 169)):
        for frame in range(0, count, 6):
            with Image.open(os.path.join(ROOT, "SampleFrames", clip, f"{frame:04d}.jpg")) as im:
                im.draft("L", im.size)
                out.append(np.asarray(im, dtype=np.uint8).copy())
    return out


def main():
    cv2.setNumThreads(1)
    cv2.setUseOptimized(True)
    repetitions = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    only = sys.argv[2] if len(sys.argv) > 2 else None
    base = frames()
    for name, path in CASCADES.items():
        if only and name != only:
            continue
        classifier = cv2.CascadeClassifier(path)
        for factor in (1, 2):
            images = [np.repeat(np.repeat(f, factor, axis=0), factor, axis=1) if factor > 1 else f for f in base]
            for image in images:
                classifier.detectMultiScale(image, scaleFactor=1.1, minNeighbors=3, flags=0, minSize=(0, 0))
            per_frame = []
            for _ in range(repetitions):
                start = time.perf_counter()
                for image in images:
                    classifier.detectMultiScale(image, scaleFactor=1.1, minNeighbors=3, flags=0, minSize=(0, 0))
                per_frame.append((time.perf_counter() - start) * 1000 / len(images))
            per_frame.sort()
            h, w = images[0].shape
            print(f"speed {name} {w}x{h} {per_frame[len(per_frame) // 2]:.3f}", flush=True)


if __name__ == "__main__":
    main()
