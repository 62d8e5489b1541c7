#!/usr/bin/env python3
"""Per-frame time of MediaPipe's FaceLandmarker, VIDEO mode, one face, blendshapes and matrix on (dev time only).

Decodes SampleFrames/single_face once, then feeds its 72 frames `passes` times in a row to one landmarker (timestamps
go on increasing across passes, so it keeps tracking: detector once, then landmarks + blendshapes per frame), timing
each detect_for_video call alone. The first pass is warm-up. Prints a TSV: clip, frames, tracked, p50_us, min_us,
mean_us. MediaPipe picks its own thread count (not settable from the Python tasks API).

Run: Tools/reference/mediapipe/time-mediapipe.sh [passes]
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
CLIP = "single_face"


def main():
    task, passes = sys.argv[1], int(sys.argv[2])
    with open(os.path.join(ROOT, "SampleFrames", CLIP, "manifest.tsv")) as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle][1:]
    frames = []
    for _index, timestamp_us, name in rows:
        bgr = cv2.imread(os.path.join(ROOT, "SampleFrames", CLIP, name), cv2.IMREAD_COLOR)
        rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        frames.append((int(timestamp_us), mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)))
    period_us = frames[-1][0] + (frames[-1][0] - frames[-2][0])
    samples, tracked = [], 0
    with video_landmarker(task) as tracker:
        for number in range(passes):
            for timestamp_us, image in frames:
                start = time.perf_counter_ns()
                result = tracker.detect_for_video(image, (number * period_us + timestamp_us) // 1000)
                elapsed = (time.perf_counter_ns() - start) / 1000.0
                if number > 0:
                    samples.append(elapsed)
                    tracked += len(result.face_landmarks) > 0
    print("clip\tframes\ttracked\tp50_us\tmin_us\tmean_us")
    print(f"{CLIP}\t{len(samples)}\t{tracked}\t{statistics.median(samples):.0f}\t{min(samples):.0f}"
          f"\t{statistics.fmean(samples):.0f}")


if __name__ == "__main__":
    main()
