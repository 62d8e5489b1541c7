#!/usr/bin/env bash
# The main job: set up, build, then track live from the webcam, or replay SampleFrames/ when there is no camera.
# Extra arguments go to `omote live` / `omote replay`.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh
source Scripts/build-flags.sh
swift build "${OMOTE_SWIFT_FLAGS[@]}" --product omote >&2
omote=$(swift build "${OMOTE_SWIFT_FLAGS[@]}" --show-bin-path)/omote
if compgen -G "/dev/video*" >/dev/null; then
  exec "$omote" live "$@"
else
  echo "omote: no camera (/dev/video*) on this machine; replaying SampleFrames/ instead." >&2
  exec "$omote" replay "$@"
fi
