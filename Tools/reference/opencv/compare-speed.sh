#!/usr/bin/env bash
# Side-by-side detection speed: OpenCV 4 (Python cv2, single thread, detectMultiScale on decoded luma in memory) and
# Omote's FaceDetector (DetectionSpeedTests, release build with Scripts/build-flags.sh), on the same frames at
# 640×360 and 1280×720 (every pixel repeated 2×2), LBP and Haar default. Median ms per frame of REPS repetitions, run
# interleaved per cascade (OpenCV, then ours) so load changes on a shared machine hit both.
# Usage: Tools/reference/opencv/compare-speed.sh [REPS=5] [VENV=/tmp/cvenv] [PACKAGE_DIR=repository root]
# PACKAGE_DIR may be another package that builds OmoteVisionTests from these sources (while other targets do not build).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
REPS="${1:-5}"
VENV="${2:-/tmp/cvenv}"
PACKAGE_DIR="${3:-$ROOT}"
source "$ROOT/Scripts/build-flags.sh"
[ -x "$VENV/bin/python" ] || "$HERE/setup.sh" "$VENV"
(cd "$PACKAGE_DIR" && swift build "${OMOTE_SWIFT_FLAGS[@]}" --build-tests >/dev/null)
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
for cascade in lbp haar; do
  "$VENV/bin/python" "$HERE/opencv-speed.py" "$REPS" "$cascade" | sed 's/^speed/opencv/' >>"$results"
  (cd "$PACKAGE_DIR" && OMOTE_DETECTION_SPEED="$REPS" swift test "${OMOTE_SWIFT_FLAGS[@]}" --skip-build \
      --filter "DetectionSpeedTests/timing\\(cascade:\\)" 2>/dev/null) | grep "^speed $cascade " | sed 's/^speed/omote/' >>"$results"
done
echo "cascade  size        opencv ms  omote ms  speed-up"
awk '$1 == "opencv" { cv[$2 " " $3] = $4 } $1 == "omote" { om[$2 " " $3] = $4 }
     END { for (k in cv) if (k in om) { split(k, p, " "); printf "%-8s %-10s %9.2f %9.2f %8.2fx\n", p[1], p[2], cv[k], om[k], cv[k] / om[k] } }' \
  "$results" | sort
echo "($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); OpenCV $("$VENV/bin/python" -c 'import cv2; print(cv2.__version__)'), setNumThreads(1))"
