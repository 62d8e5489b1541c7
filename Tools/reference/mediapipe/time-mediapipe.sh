#!/usr/bin/env bash
# Times MediaPipe's FaceLandmarker per frame (VIDEO mode, one face) over SampleFrames/single_face (dev time only).
# Usage: Tools/reference/mediapipe/time-mediapipe.sh [passes=5]   (venv: Tools/reference/build/mediapipe-venv, or
# $OMOTE_MEDIAPIPE_VENV)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
venv=${OMOTE_MEDIAPIPE_VENV:-$root/Tools/reference/build/mediapipe-venv}
task=${OMOTE_FACE_LANDMARKER:-${XDG_CACHE_HOME:-$HOME/.cache}/omote/face_landmarker.task}

"$here/venv.sh" "$venv"
"$venv/bin/python" "$here/time-mediapipe.py" "$task" "${1:-5}"
