#!/usr/bin/env bash
# Peers side by side in one run, on the same decoded SampleFrames: dlib's C++ shape predictor vs Omote's landmarks,
# and OpenCV's detectMultiScale vs Omote's cascade evaluator. Dev-time only: installs the reference tools (dlib via
# libdlib-dev, OpenCV via opencv-python-headless in a throwaway venv under .build/); nothing here is part of Omote.
# Usage: Benchmarks/compare-peers.sh [REPEATS]     (single thread throughout; prints µs and ratios)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-20}
Scripts/setup.sh
sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_=sudo
missing=$(for p in libdlib-dev libopenblas-dev liblapack-dev; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
[ -z "$missing" ] || $sudo_ apt-get install -y --no-install-recommends $missing >/dev/null

source Scripts/build-flags.sh
flags=(-c release)
[[ " ${OMOTE_SWIFT_FLAGS[*]} " == *x86-64-v3* ]] && flags+=(-Xcc -march=x86-64-v3)
swift build "${flags[@]}" --package-path Benchmarks/PeerTimingPackage >/dev/null
peer=$(swift build "${flags[@]}" --package-path Benchmarks/PeerTimingPackage --show-bin-path)/PeerTiming
dlib=$(Tools/reference/dlib/build.sh)
fixture=Tests/OmoteVisionTests/Fixtures/dlib-faces.tsv
model=/usr/share/dlib/shape_predictor_68_face_landmarks.dat

echo "== landmarks: 68 points on dlib's own face boxes, $(($(grep -c . "$fixture") - 1)) faces × $repeats, 640×360"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
for round in 1 2; do
  d=$("$dlib" bench SampleFrames "$model" "$fixture" "$repeats"); echo "  $d"
  o=$("$peer" landmarks "$fixture" "$repeats"); echo "  $o"
  du=$(sed -E 's/.*: ([0-9.]+) us.*/\1/' <<<"$d"); ou=$(sed -E 's/.*: ([0-9.]+) us.*/\1/' <<<"$o")
  echo "  round $round: Omote is $(ratio "$du" "$ou")× faster than dlib"
done

echo "== detection: OpenCV detectMultiScale (single thread) vs Omote's FaceDetector, same frames and boxes"
Tools/reference/opencv/compare-speed.sh 5 "$PWD/.build/opencv-venv"
