#!/usr/bin/env bash
# Side by side in one session, same frames (SampleFrames/single_face): MediaPipe 0.10.21's Face Landmarker (Python
# tasks API, VIDEO mode, decode excluded) and `omote bench` (release, Scripts/build-flags.sh, one
# thread, decode → region → landmarks → blendshapes → pose → rig included), then MediaPipe again (the VM's load
# drifts). MediaPipe runs twice per round: with its own thread choice, and pinned to one CPU (taskset) for a
# per-core comparison. Usage: Benchmarks/compare-mesh.sh [mediapipe passes=6] [omote repeats=6]
passes=${1:-6}
repeats=${2:-6}
source "$(dirname "$0")/release-binary.sh"
cd "$root"
omote=$(release_binary "$root" omote)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

mediapipe() {
  echo "## MediaPipe Face Landmarker, VIDEO mode, its own threads"
  Tools/reference/mediapipe/time-mediapipe.sh "$passes" | tee "$scratch/threads.tsv"
  echo "## MediaPipe Face Landmarker, VIDEO mode, pinned to one CPU (taskset -c 0)"
  taskset -c 0 Tools/reference/mediapipe/time-mediapipe.sh "$passes" | tee "$scratch/pinned.tsv"
}
mediapipe
echo "## Omote mesh tracker (flags: ${OMOTE_SWIFT_FLAGS[*]}), ratio against MediaPipe pinned to one CPU"
"$omote" bench --clips single_face --repeat "$repeats" --reference-timings "$scratch/pinned.tsv"
echo "## Omote ratio against MediaPipe with its own threads"
"$omote" bench --clips single_face --repeat "$repeats" --reference-timings "$scratch/threads.tsv" |
  grep -E "MediaPipe|while tracking|end to end"
mediapipe
