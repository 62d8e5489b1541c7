#!/usr/bin/env bash
# Set up and run the whole test suite (the same release build the main job uses).
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh
source Scripts/build-flags.sh
swift build "${OMOTE_SWIFT_FLAGS[@]}" --build-tests
swift test "${OMOTE_SWIFT_FLAGS[@]}" --skip-build "$@"
