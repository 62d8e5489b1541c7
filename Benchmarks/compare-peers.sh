#!/usr/bin/env bash
# Omote against the reference implementations, side by side in one run on the same decoded SampleFrames, one thread
# throughout: dlib's C++ shape predictor vs Omote's landmarks, and OpenCV's detectMultiScale vs Omote's cascade
# evaluator. Omote's side is PeerTiming (Benchmarks/Sources/PeerTiming), built with Scripts/build-flags.sh's release
# flags; dlib is built with g++ -O3 (and -march=x86-64-v3 where the CPU has it). Timings on a shared machine move
# between runs, so each pair is run back to back and reported as a ratio.
# Dev-time only: installs the reference tools (dlib via libdlib-dev, OpenCV via opencv-python-headless in a throwaway
# venv under .build/); nothing here is part of Omote.
# Usage: Benchmarks/compare-peers.sh [LANDMARK_REPEATS=20] [DETECTION_REPEATS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
landmark_repeats=${1:-20}
detection_repeats=${2:-5}
Scripts/setup.sh
sudo_=""
[ "$(id -u)" -eq 0 ] || sudo_=sudo
missing=$(for p in libdlib-dev libopenblas-dev liblapack-dev; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
[ -z "$missing" ] || $sudo_ apt-get install -y --no-install-recommends $missing >/dev/null

source Scripts/build-flags.sh
flags=(-c release)
[[ " ${OMOTE_SWIFT_FLAGS[*]} " == *x86-64-v3* ]] && flags+=(-Xcc -march=x86-64-v3)
swift build "${flags[@]}" --package-path Benchmarks --product PeerTiming >/dev/null
peer=$(swift build "${flags[@]}" --package-path Benchmarks --show-bin-path)/PeerTiming
dlib=$(Tools/reference/dlib/build.sh)
venv="$PWD/.build/opencv-venv"
[ -x "$venv/bin/python" ] || Tools/reference/opencv/setup.sh "$venv" >/dev/null
fixture=Tests/OmoteVisionTests/Fixtures/dlib-faces.tsv
model=/usr/share/dlib/shape_predictor_68_face_landmarks.dat
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "== landmarks: 68 points on dlib's own face boxes, $(($(grep -c . "$fixture") - 1)) faces × $landmark_repeats, 640×360"
for round in 1 2; do
  d=$("$dlib" bench SampleFrames "$model" "$fixture" "$landmark_repeats")
  echo "  $d"
  o=$("$peer" landmarks "$fixture" "$landmark_repeats")
  echo "  $o"
  du=$(sed -E 's/.*: ([0-9.]+) us.*/\1/' <<<"$d")
  ou=$(sed -E 's/.*: ([0-9.]+) us.*/\1/' <<<"$o")
  echo "  round $round: Omote is $(ratio "$du" "$ou")× faster than dlib"
done

echo "== detection: OpenCV detectMultiScale (setNumThreads(1)) vs Omote's FaceDetector, same frames, identical boxes"
echo "   every 6th frame of single_face and face_noface (26 frames), median ms per frame of $detection_repeats passes"
echo "  cascade  size        opencv ms  omote ms  speed-up"
for cascade in lbp haar; do
  opencv=$("$venv/bin/python" Tools/reference/opencv/opencv-speed.py "$detection_repeats" "$cascade")
  omote=$("$peer" detection "$cascade" "$detection_repeats")
  # Lines "speed <cascade> <w>x<h> <ms>" from both sides, joined on the size.
  join -j 3 <(sort -k3,3 <<<"$opencv") <(sort -k3,3 <<<"$omote") |
    awk '{ printf "  %-8s %-10s %9.2f %9.2f %8.2f×\n", $3, $1, $4, $7, $4 / $7 }' | sort -k2,2n
done
echo "  ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg);" \
  "OpenCV $("$venv/bin/python" -c 'import cv2; print(cv2.__version__)'))"
