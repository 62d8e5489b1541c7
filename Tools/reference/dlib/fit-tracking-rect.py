#!/usr/bin/env python3
"""Fits ShapePredictor.trackingRect(for:) to dlib's HOG detections (dev-time; plain Python 3, no packages).

Reads Tests/OmoteVisionTests/Fixtures/dlib-faces.tsv and fits, over every face, where dlib's frontal_face_detector put
its (square) box relative to the bounding box of dlib's 68 landmarks:
    side     = k  * sqrt(w * h)            (w, h: landmark bounding box size; least squares through the origin)
    center_x = cx + ax * side,  center_y = cy + ay * side   (cx, cy: landmark bounding box centre; mean offsets)
with dlib's inclusive box: side = right - left + 1, centre = ((left + right) / 2, (top + bottom) / 2).
Usage: python3 Tools/reference/dlib/fit-tracking-rect.py [fixture.tsv]
"""
import math
import sys

path = sys.argv[1] if len(sys.argv) > 1 else "Tests/OmoteVisionTests/Fixtures/dlib-faces.tsv"
rows = [line.rstrip("\n").split("\t") for line in open(path)][1:]
num = den = 0.0
samples = []
for row in rows:
    left, top, right, bottom = (float(v) for v in row[2:6])
    values = [float(v) for v in row[6].split()]
    xs, ys = values[0::2], values[1::2]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    size = math.sqrt(w * h)
    side = right - left + 1
    num += size * side
    den += size * size
    samples.append((size, side, (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, (left + right) / 2, (top + bottom) / 2))
k = num / den
ax = sum((bx - cx) / side for _, side, cx, _, bx, _ in samples) / len(samples)
ay = sum((by - cy) / side for _, side, _, cy, _, by in samples) / len(samples)
rel = math.sqrt(sum(((k * size - side) / side) ** 2 for size, side, *_ in samples) / len(samples))
print(f"faces {len(samples)}: k = {k:.4f}, ax = {ax:.4f}, ay = {ay:.4f} (side rms error {100 * rel:.1f} %: HOG pyramid steps)")
