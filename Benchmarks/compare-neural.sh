#!/usr/bin/env bash
# Side by side in one session: Omote's neural engine (release, Scripts/build-flags.sh) and TFLite + XNNPACK
# (one thread) on the same input tensors; each prints network/case/runs/p50/min/mean µs. Usage:
#   Benchmarks/compare-neural.sh [runs=300] [warmup=30]
runs=${1:-300}
warmup=${2:-30}
source "$(dirname "$0")/release-binary.sh"
cd "$root/Benchmarks"
binary=$(release_binary "$root/Benchmarks" NeuralTiming)
echo "## Omote (OmoteNeural, flags: ${OMOTE_SWIFT_FLAGS[*]})"
"$binary" "$runs" "$warmup"
echo "## TFLite 2.14 + XNNPACK, num_threads=1"
"$root/Tools/reference/tflite/time-xnnpack.sh" "$runs" "$warmup"
echo "## Omote again (the VM's load drifts; compare each engine with its neighbour)"
"$binary" "$runs" "$warmup"
