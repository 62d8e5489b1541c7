#!/usr/bin/env bash
# Regenerates Tests/OmoteMeshTests/Fixtures/mediapipe/ with MediaPipe 0.10.21 (dev time only; nothing here runs in
# Omote); venv in the git-ignored Tools/reference/build/mediapipe-venv, or $1. Prints per-clip timings.
# Usage: Tools/reference/mediapipe/make-fixture.sh [venv-dir]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
venv=${1:-$root/Tools/reference/build/mediapipe-venv}
task=${OMOTE_FACE_LANDMARKER:-${XDG_CACHE_HOME:-$HOME/.cache}/omote/face_landmarker.task}

"$here/venv.sh" "$venv"
# MediaPipe's glog/absl chatter goes to stderr; the timing TSV to stdout.
"$venv/bin/python" "$here/make-fixture.py" "$task"
