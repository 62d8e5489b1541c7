#!/usr/bin/env python3
"""MediaPipe Face Landmarker reference over every SampleFrames clip (dev time only, never at run time).

Runs MediaPipe 0.10.21's Python tasks API FaceLandmarker in VIDEO mode (num_faces=1, blendshapes and facial
transformation matrix on, every other option at its default) over each clip's frames in manifest order, with the
manifest's timestamps (µs, floored to the ms the API takes), one fresh landmarker per clip, and writes:

  frames.tsv            clip, frame, timestamp_us, tracked (1/0), 52 blendshape scores, 16 matrix values (row-major)
  <clip>.landmarks.f32  frames × 478 × (x, y, z) little-endian float32 as MediaPipe gives them (x, y normalised to
                        the frame, z on x's scale); NaN for frames without a face
and prints (stdout, not stored: it depends on the machine) per clip: frames, tracked, p50/min µs of
detect_for_video over all frames after the first.

Run (see make-fixture.sh, which builds the venv):
  Tools/reference/mediapipe/make-fixture.sh
"""
import os
import statistics
import sys
import time

import cv2
import mediapipe as mp
import numpy as np
from video_landmarker import video_landmarker

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FIXTURES = os.path.join(ROOT, "Tests", "OmoteMeshTests", "Fixtures", "mediapipe")
CLIPS = ("single_face", "face_noface", "no_face")
LANDMARK_COUNT = 478
BLENDSHAPE_COUNT = 52


def manifest(clip):
    with open(os.path.join(ROOT, "SampleFrames", clip, "manifest.tsv")) as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle][1:]
    return [(int(index), int(timestamp), name) for index, timestamp, name in rows]


def decode_rgb(clip, name):
    bgr = cv2.imread(os.path.join(ROOT, "SampleFrames", clip, name), cv2.IMREAD_COLOR)
    return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


def run_clip(task, clip):
    rows = []
    landmarks = []
    latencies = []
    blendshape_names = None
    with video_landmarker(task) as tracker:
        for index, timestamp_us, name in manifest(clip):
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=decode_rgb(clip, name))
            start = time.perf_counter_ns()
            result = tracker.detect_for_video(image, timestamp_us // 1000)
            latencies.append((time.perf_counter_ns() - start) / 1000.0)
            points = np.full((LANDMARK_COUNT, 3), np.nan, dtype=np.float32)
            scores = ["nan"] * BLENDSHAPE_COUNT
            matrix = ["nan"] * 16
            tracked = len(result.face_landmarks) > 0
            if tracked:
                face = result.face_landmarks[0]
                if len(face) != LANDMARK_COUNT:
                    sys.exit(f"make-fixture: {clip} {index}: {len(face)} landmarks, expected {LANDMARK_COUNT}")
                points = np.array([(p.x, p.y, p.z) for p in face], dtype=np.float32)
                categories = result.face_blendshapes[0]
                names = [c.category_name for c in categories]
                if blendshape_names is None:
                    blendshape_names = names
                elif names != blendshape_names:
                    sys.exit(f"make-fixture: {clip} {index}: blendshape order changed")
                scores = [f"{c.score:.5f}" for c in categories]
                matrix = [f"{v:.5f}" for v in np.asarray(result.facial_transformation_matrixes[0]).reshape(16)]
            landmarks.append(points)
            rows.append([clip, str(index), str(timestamp_us), "1" if tracked else "0", *scores, *matrix])
    np.stack(landmarks).astype("<f4").tofile(os.path.join(FIXTURES, f"{clip}.landmarks.f32"))
    return rows, blendshape_names, latencies


def main():
    task = sys.argv[1]
    os.makedirs(FIXTURES, exist_ok=True)
    all_rows = []
    names = None
    timing = ["clip\tframes\ttracked\tp50_us\tmin_us"]
    for clip in CLIPS:
        rows, clip_names, latencies = run_clip(task, clip)
        all_rows += rows
        if clip_names is not None:
            if names is not None and names != clip_names:
                sys.exit("make-fixture: blendshape names differ between clips")
            names = clip_names
        steady = latencies[1:]
        tracked = sum(row[3] == "1" for row in rows)
        timing.append(f"{clip}\t{len(rows)}\t{tracked}\t{statistics.median(steady):.0f}\t{min(steady):.0f}")
        untracked = [row[1] for row in rows if row[3] == "0"]
        faces = [row[1] for row in rows if row[3] == "1"]
        print(f"{clip}: {tracked}/{len(rows)} tracked; untracked frames {compact(untracked)}; "
              f"tracked frames {compact(faces)}", file=sys.stderr)
    matrix_names = [f"m{row}{column}" for row in range(4) for column in range(4)]
    header = ["clip", "frame", "timestamp_us", "tracked", *names, *matrix_names]
    with open(os.path.join(FIXTURES, "frames.tsv"), "w") as handle:
        for row in (header, *all_rows):
            handle.write("\t".join(row) + "\n")
    print("\n".join(timing))


def compact(frames):
    """Frame numbers as ranges: 0-5,9,12-14."""
    numbers = [int(f) for f in frames]
    parts = []
    start = None
    previous = None
    for number in numbers + [None]:
        if start is not None and number is not None and number == previous + 1:
            previous = number
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = number
        previous = number
    return ",".join(parts) if parts else "none"


if __name__ == "__main__":
    main()
