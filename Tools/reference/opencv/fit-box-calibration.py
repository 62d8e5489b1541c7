#!/usr/bin/env python3
"""Fits BoxCalibration (Sources/OmoteVision/Tracking/BoxCalibration.swift): cascade box -> dlib HOG box (dev-time;
plain Python 3, no packages).

Pairs every OpenCV detection in Tests/OmoteVisionTests/Fixtures/opencv-detections.tsv with dlib's HOG detection of the
same face in Tests/OmoteVisionTests/Fixtures/dlib-faces.tsv (each dlib face with the cascade box overlapping it most, IoU at least 0.3) and fits, per cascade:
    side   = s * w                          (w: cascade box side; least squares through the origin)
    centre = (x + w/2, y + h/2) + (ax, ay) * w   (mean offsets)
with dlib's inclusive box: side = right - left + 1, centre = ((left + right) / 2, (top + bottom) / 2).
Usage: python3 Tools/reference/opencv/fit-box-calibration.py
"""
import math

dlib = {}
for row in [l.rstrip("\n").split("\t") for l in open("Tests/OmoteVisionTests/Fixtures/dlib-faces.tsv")][1:]:
    dlib.setdefault((row[0], int(row[1])), []).append(tuple(float(v) for v in row[2:6]))


def iou(a, b):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    h = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = w * h
    return inter / (aw * ah + bw * bh - inter)


boxes = {}
for line in open("Tests/OmoteVisionTests/Fixtures/opencv-detections.tsv"):
    if line.startswith("#") or line.startswith("clip\t"):
        continue
    clip, frame, cascade, count, *rest = line.rstrip("\n").split("\t")
    found = [tuple(float(v) for v in text.split(",")) for text in (rest[0].split() if int(count) else [])]
    boxes[(cascade, clip, int(frame))] = found

# Each dlib face is paired with the cascade box that overlaps it most (IoU at least 0.3).
pairs = {}
for (cascade, clip, frame), found in boxes.items():
    for l, t, r, b in dlib.get((clip, frame), []):
        scored = [(iou(box, (l, t, r - l + 1, b - t + 1)), box) for box in found]
        if scored and max(scored)[0] >= 0.3:
            pairs.setdefault(cascade, []).append((max(scored)[1], (l, t, r, b)))

for cascade, items in sorted(pairs.items()):
    num = den = 0.0
    for (x, y, w, h), (l, t, r, b) in items:
        num += w * (r - l + 1)
        den += w * w
    s = num / den
    ax = sum(((l + r) / 2 - (x + w / 2)) / w for (x, y, w, h), (l, t, r, b) in items) / len(items)
    ay = sum(((t + b) / 2 - (y + h / 2)) / w for (x, y, w, h), (l, t, r, b) in items) / len(items)
    ious = []
    for (x, y, w, h), (l, t, r, b) in items:
        side = s * w
        cx, cy = x + w / 2 + ax * w, y + h / 2 + ay * w
        ious.append(iou((cx - (side - 1) / 2, cy - (side - 1) / 2, side, side), (l, t, r - l + 1, b - t + 1)))
    print(f"{cascade}: faces {len(items)}, sideScale {s:.4f}, centerOffset ({ax:.4f}, {ay:.4f}); "
          f"IoU with dlib's box min {min(ious):.3f} mean {sum(ious) / len(ious):.3f}")
