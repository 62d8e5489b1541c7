#!/usr/bin/env bash
# Installs the system packages Omote needs (idempotent: only what is missing), via apt-get (sudo when not root),
# and fetches the face landmarker model once into the user's cache.
set -euo pipefail

packages=(
  pkg-config
  libv4l-dev            # libv4l2: camera access, odd-format conversion
  libturbojpeg0-dev     # MJPEG/JPEG → RGB, and JPEG avatar textures
  libpng-dev            # PNG avatar textures (loaded at run time, like libturbojpeg)
  strace                # the privacy test watches omote's syscalls
  tmux                  # the terminal-view test drives omote in a real terminal
  libxcb1-dev           # <xcb/xcb.h> for the X11 window shim (libxcb.so.1 itself is dlopened at run time)
  xvfb                  # the window tests run their own virtual X server
)

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: the Swift toolchain (6.1 or later) is not on PATH; install it from swift.org first" >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

install_missing_packages() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: this system has no apt-get; install these packages (or your distribution's equivalents)" \
      "by hand: ${missing[*]}" >&2
    exit 1
  fi
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

if [ ${#missing[@]} -gt 0 ]; then
  install_missing_packages
fi

# MediaPipe's face landmarker networks for the mesh path (kept outside the repo; see Docs/models.md).
"$(dirname "$0")/fetch-face-landmarker.sh"
