#!/usr/bin/env bash
# Long-run check: memory, descriptors and threads of every Omote process must stay flat.
# Runs, side by side for MINUTES:
#   replay  `omote replay --loop` of every SampleFrames clip at nominal speed, stdout not a terminal, so it runs as
#           the parent that relays records + the guarded processing child (both are sampled);
#   live    Tools/soak-live (OmoteSoakLive): the V4L2 camera code over the fake kernel at 30 fps with damaged frames,
#           errored buffers, stalls and an unplug + new camera every few minutes, through the real pipeline under the
#           guard (skip it with --no-live).
# Every 30 s it reads VmRSS, RssAnon, VmLck (locked private memory), open descriptors and threads of each process from
# /proc (Omote's processes are not dumpable, so this needs root, as CI and this project's machines have), writes them
# to OUT/samples.tsv and prints a line. At the end it compares
# the last quarter of the samples after the warm-up (WARMUP s) with the first quarter, prints a Markdown table for
# Docs/performance-log.md, and exits 1 if a process died or grew: RSS more than 2 MiB up, or more descriptors or threads.
# Usage: Benchmarks/soak.sh [MINUTES=60] [--no-live]   (env: OUT=dir, WARMUP=seconds (120), INTERVAL=seconds (30))
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-60}
live=1
[ "${2:-}" = "--no-live" ] && live=0
interval=${INTERVAL:-30}
warmup=${WARMUP:-120}
out=${OUT:-$(mktemp -d /tmp/omote-soak.XXXXXX)}
mkdir -p "$out"
[ "$(id -u)" -eq 0 ] || echo "soak: not root: Omote's processes are not dumpable, /proc/PID/fd may be unreadable" >&2

source Scripts/build-flags.sh
swift build "${OMOTE_SWIFT_FLAGS[@]}" --product omote >&2
swift build "${OMOTE_SWIFT_FLAGS[@]}" --product OmoteSoakLive >&2
# Run copies: a rebuild during the soak must not replace the binaries under the running processes.
for binary in omote OmoteSoakLive; do cp "$(swift build "${OMOTE_SWIFT_FLAGS[@]}" --show-bin-path)/$binary" "$out/"; done
bin=$out

"$bin/omote" replay --loop >"$out/replay.log" 2>&1 &
replay=$!
soak_live=""
if [ $live -eq 1 ]; then
  "$bin/OmoteSoakLive" --minutes "$minutes" >"$out/live.log" 2>&1 &
  soak_live=$!
fi
cleanup() {
  kill "$replay" ${soak_live:+"$soak_live"} 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

# role pid pairs: the replay parent, its children (the processing child), the live soak.
processes() {
  echo "replay-parent $replay"
  local child
  for child in $(pgrep -P "$replay" || true); do echo "replay-child $child"; done
  [ -n "$soak_live" ] && [ -d "/proc/$soak_live" ] && echo "live $soak_live"
  return 0
}

field() { awk -v key="$1:" '$1 == key { print $2 }' "/proc/$2/status" 2>/dev/null || true; }

printf 'elapsed_s\trole\tpid\trss_kb\trss_anon_kb\tlocked_kb\tfds\tthreads\n' >"$out/samples.tsv"
start=$SECONDS
end=$((start + minutes * 60))
sleep 5
while :; do
  elapsed=$((SECONDS - start))
  while read -r role pid; do
    [ -d "/proc/$pid" ] || continue
    fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
    line=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$elapsed" "$role" "$pid" "$(field VmRSS "$pid")" \
      "$(field RssAnon "$pid")" "$(field VmLck "$pid")" "$fds" "$(field Threads "$pid")")
    echo "$line" >>"$out/samples.tsv"
    echo "soak: $line" >&2
  done < <(processes)
  [ $SECONDS -ge $end ] && break
  kill -0 "$replay" 2>/dev/null || { echo "soak: omote replay died; see $out/replay.log" >&2; exit 1; }
  if [ -n "$soak_live" ] && ! kill -0 "$soak_live" 2>/dev/null; then
    wait "$soak_live" || { echo "soak: the live soak failed; see $out/live.log" >&2; exit 1; }
    soak_live=""
  fi
  sleep $((end - SECONDS < interval ? (end - SECONDS > 0 ? end - SECONDS : 1) : interval))
done

echo "soak: samples in $out/samples.tsv; replay output in $out/replay.log${soak_live:+, live in $out/live.log}" >&2
awk -F'\t' -v warmup="$warmup" -v minutes="$minutes" '
  NR == 1 || $1 < warmup { next }
  {
    k = $2
    if (!(k in count)) { order[++n] = k; count[k] = 0 }
    i = ++count[k]; rss[k, i] = $4; locked[k, i] = $6; fds[k, i] = $7; threads[k, i] = $8
  }
  function mean(a, k, from, to,   s, i) { s = 0; for (i = from; i <= to; i++) s += a[k, i]; return s / (to - from + 1) }
  function top(a, k, from, to,   m, i) { m = a[k, from]; for (i = from; i <= to; i++) if (a[k, i] > m) m = a[k, i]; return m }
  function low(a, k, from, to,   m, i) { m = a[k, from]; for (i = from; i <= to; i++) if (a[k, i] < m) m = a[k, i]; return m }
  END {
    # Growth compares the last quarter of the samples after the warm-up with the first quarter: RSS by mean (more
    # than 2 MiB up is growth), descriptors and threads by maximum (a processing thread ending while the next clip
    # starts its own is a moment, not a trend).
    printf "| process (%s min; samples after %d s) | RSS kB: first quarter → last quarter (min–max) | locked kB | descriptors | threads | verdict |\n", minutes, warmup
    print "| --- | --- | --- | --- | --- | --- |"
    bad = 0
    for (j = 1; j <= n; j++) {
      k = order[j]; c = count[k]; q = int(c / 4); if (q < 1) q = 1
      early = mean(rss, k, 1, q); late = mean(rss, k, c - q + 1, c)
      grew = (late - early > 2048) || (top(fds, k, c - q + 1, c) > top(fds, k, 1, q)) \
        || (top(threads, k, c - q + 1, c) > top(threads, k, 1, q))
      if (grew) bad = 1
      printf "| %s (%d samples) | %.0f → %.0f (%d–%d) | %d–%d | %d–%d | %d–%d | %s |\n", k, c, early, late,
        low(rss, k, 1, c), top(rss, k, 1, c), low(locked, k, 1, c), top(locked, k, 1, c), low(fds, k, 1, c),
        top(fds, k, 1, c), low(threads, k, 1, c), top(threads, k, 1, c), grew ? "GREW" : "flat"
    }
    if (n == 0) { print "soak: no samples after the warm-up" > "/dev/stderr"; bad = 1 }
    exit bad
  }' "$out/samples.tsv"
