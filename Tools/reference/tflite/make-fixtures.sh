#!/usr/bin/env bash
# Builds the throwaway TFLite venv (git-ignored Tools/reference/build/, or $1) and regenerates
# Tests/OmoteNeuralTests/Fixtures/tflite/ from face_landmarker.task (dev time only; nothing here runs in Omote).
# Usage: Tools/reference/tflite/make-fixtures.sh [venv-dir]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
venv=${1:-$root/Tools/reference/build/tflite-venv}
task=${OMOTE_FACE_LANDMARKER:-${XDG_CACHE_HOME:-$HOME/.cache}/omote/face_landmarker.task}

"$root/Scripts/fetch-face-landmarker.sh"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "tflite-runtime==2.14.0" "numpy==1.26.4" "pillow==13.0.0"
fi
"$venv/bin/python" "$here/make-fixtures.py" "$task"
