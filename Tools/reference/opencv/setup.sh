#!/usr/bin/env bash
# Creates the throwaway reference venv OUTSIDE the package (dev time only; nothing here runs in Omote).
# Usage: Tools/reference/opencv/setup.sh [/tmp/cvenv]
set -euo pipefail
VENV="${1:-/tmp/cvenv}"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet "opencv-python-headless==4.14.0.94" "numpy==2.4.6" "pillow==13.0.0"
"$VENV/bin/python" -c 'import cv2, numpy, PIL; print("opencv", cv2.__version__, "numpy", numpy.__version__, "pillow", PIL.__version__)'
# The cascades come from Debian's opencv-data: apt-get install -y opencv-data  (→ /usr/share/opencv4/)
