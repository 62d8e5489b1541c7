#!/usr/bin/env bash
# The README's pictures of the avatar window, made under a private Xvfb: `omote replay single_face --view window
# --loop` with the built-in avatar and with a VRM, captured with xwd after a few seconds of the clip.
# Needs Xvfb, xwd, xwininfo and ImageMagick's convert (Debian: xvfb x11-apps x11-utils imagemagick).
# Usage: Scripts/screenshot-window.sh [seconds into the clip, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-3}
for tool in Xvfb xwd xwininfo convert; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "screenshot-window: $tool is missing (apt-get install xvfb x11-apps x11-utils imagemagick)" >&2
    exit 1
  }
done
source Scripts/build-flags.sh
swift build "${OMOTE_SWIFT_FLAGS[@]}" --product omote >&2
omote=$(swift build "${OMOTE_SWIFT_FLAGS[@]}" --show-bin-path)/omote

# Xvfb picks a free display and reports its number on the descriptor given to -displayfd.
number_file=$(mktemp)
Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3>"$number_file" 2>/dev/null &
xvfb=$!
trap 'kill "$xvfb" 2>/dev/null; rm -f "$number_file"' EXIT
for _ in $(seq 100); do [ -s "$number_file" ] && break; sleep 0.1; done
display=":$(head -n1 "$number_file")"

# shoot NAME [omote options]: one PNG of the window, Docs/images/NAME.png.
shoot() {
  local name=$1
  shift
  DISPLAY=$display "$omote" replay single_face --view window --loop "$@" >/dev/null &
  local pid=$! window=""
  for _ in $(seq 200); do
    window=$(xwininfo -display "$display" -root -tree | awk '/"Omote — / {print $1; exit}')
    [ -n "$window" ] && break
    sleep 0.05
  done
  [ -n "$window" ] || { echo "screenshot-window: no Omote window appeared" >&2; kill "$pid"; exit 1; }
  sleep "$seconds"
  xwd -silent -display "$display" -id "$window" | convert xwd:- "Docs/images/$name.png"
  kill -TERM "$pid"
  wait "$pid"
  echo "Docs/images/$name.png"
}

mkdir -p Docs/images
shoot window-default-avatar
shoot window-vrm --no-overlay --avatar Tests/OmoteRigTests/Fixtures/vrm/mtoon-vrm1.vrm
