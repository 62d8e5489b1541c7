#!/bin/sh
# Builds the dlib reference program (dev-time only; not part of the Swift package) into .build/dlib-reference.
# Needs: apt-get install libdlib-dev libdlib-data libturbojpeg0-dev libopenblas-dev liblapack-dev
# -ffp-contract=off: no fused multiply-adds, so the float arithmetic is exactly the source's (what Omote's Swift does);
# -O3 -march=x86-64-v3 still lets GCC vectorize dlib's loops for a fair timing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
mkdir -p "$root/.build"
march=""
if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then march="-march=x86-64-v3"; fi
# shellcheck disable=SC2046
g++ -std=c++17 -O3 $march -ffp-contract=off -DNDEBUG -o "$root/.build/dlib-reference" "$here/dlib-reference.cpp" \
    $(pkg-config --cflags --libs dlib-1 libturbojpeg)
echo "$root/.build/dlib-reference"
