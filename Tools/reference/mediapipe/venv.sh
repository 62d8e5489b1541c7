#!/usr/bin/env bash
# Builds, once, the throwaway MediaPipe venv at $1 (dev time only) and makes sure the model is in place.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
venv=$1

"$root/Scripts/fetch-face-landmarker.sh"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  # --no-deps: MediaPipe 0.10.21 declares jax, jaxlib, opencv-contrib-python and sounddevice, which the
  # FaceLandmarker task never imports (pip says so in a dependency warning; harmless); the rest is pinned here
  # (numpy < 2 for MediaPipe's compiled modules).
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps "mediapipe==0.10.21"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "numpy==1.26.4" "protobuf==4.25.9" \
    "flatbuffers==25.12.19" "absl-py==2.5.1" "attrs==26.1.0" "opencv-python-headless==4.10.0.84" \
    "matplotlib==3.11.2" "sentencepiece==0.2.3"
fi
