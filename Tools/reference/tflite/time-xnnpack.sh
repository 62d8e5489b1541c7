#!/usr/bin/env bash
# Times the three face landmarker networks under TFLite's XNNPACK delegate, one thread (dev time only).
# Usage: Tools/reference/tflite/time-xnnpack.sh [runs=200] [warmup=20]   (venv: Tools/reference/build/tflite-venv,
# or $OMOTE_TFLITE_VENV; built as in make-fixtures.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
venv=${OMOTE_TFLITE_VENV:-$root/Tools/reference/build/tflite-venv}
task=${OMOTE_FACE_LANDMARKER:-${XDG_CACHE_HOME:-$HOME/.cache}/omote/face_landmarker.task}

"$root/Scripts/fetch-face-landmarker.sh"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "tflite-runtime==2.14.0" "numpy==1.26.4" "pillow==13.0.0"
fi
# The delegate's creation notice goes to stderr; the TSV alone goes to stdout.
"$venv/bin/python" "$here/time-xnnpack.py" "$task" "${1:-200}" "${2:-20}"
