#!/usr/bin/env bash
# Longer runs of the damaged-frame tests (Tests/OmoteCaptureTests/DamagedFrameTests.swift) than CI makes: ROUNDS runs,
# each with FRAMES damaged frames of every kind (Tests/OmoteTestSupport/DamagedFrames.swift) interleaved with good
# ones, from consecutive seeds starting at SEED. A failure prints its seed: rerun that one with
#   OMOTE_FUZZ_SEED=<seed> OMOTE_FUZZ_FRAMES=<frames> swift test --filter DamagedFrameTests
# Usage: Tools/fuzz-decoder.sh [ROUNDS=20] [FRAMES=5000] [SEED=$(date +%s)]
# Nothing is written anywhere: damaged frames are made in memory.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-20}
frames=${2:-5000}
seed=${3:-$(date +%s)}
source Scripts/build-flags.sh
swift build "${OMOTE_SWIFT_FLAGS[@]}" --build-tests >&2
for ((round = 0; round < rounds; round++)); do
  current=$((seed + round))
  echo "fuzz-decoder: round $((round + 1))/$rounds, seed $current, $frames damaged frames" >&2
  if ! OMOTE_FUZZ_SEED=$current OMOTE_FUZZ_FRAMES=$frames \
    swift test "${OMOTE_SWIFT_FLAGS[@]}" --skip-build --filter DamagedFrameTests >/tmp/omote-fuzz-$$.log 2>&1; then
    cat /tmp/omote-fuzz-$$.log >&2
    echo "fuzz-decoder: FAILED at seed $current (OMOTE_FUZZ_SEED=$current OMOTE_FUZZ_FRAMES=$frames)" >&2
    rm -f /tmp/omote-fuzz-$$.log
    exit 1
  fi
done
rm -f /tmp/omote-fuzz-$$.log
echo "fuzz-decoder: $rounds rounds × $frames damaged frames passed (seeds $seed…$((seed + rounds - 1)))" >&2
