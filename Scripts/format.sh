#!/usr/bin/env bash
# Formats every Swift file of the repository in place with swift-format and the rules in .swift-format
# (line length 120, 4-space indent, one declaration per line, no `;`-joined statements).
# Usage: Scripts/format.sh           rewrite the files
#        Scripts/format.sh --check   change nothing; list every violation and fail if there is one (Scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! swift format --version >/dev/null 2>&1; then
  echo "format: 'swift format' is not available; it ships with the Swift 6 toolchain (or install swift-format)" >&2
  exit 1
fi

# Tracked and new (not ignored) Swift files, so .build/ and dependency checkouts are never touched; plain find outside git.
files=()
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  while IFS= read -r -d '' file; do
    [ -f "$file" ] && files+=("$file")
  done < <(git ls-files -z --cached --others --exclude-standard -- '*.swift')
else
  while IFS= read -r -d '' file; do
    files+=("$file")
  done < <(find Package.swift Sources Tests Benchmarks Tools -name .build -prune -o -name '*.swift' -print0)
fi

case "${1:-}" in
  --check)
    if ! swift format lint --strict --parallel "${files[@]}"; then
      echo "format: the files above do not follow .swift-format; run Scripts/format.sh to fix them" \
        "(then fix by hand what it cannot: end-of-line comments past 120 columns, multi-case lines with raw values)" >&2
      exit 1
    fi
    ;;
  "")
    swift format format --in-place --parallel "${files[@]}"
    ;;
  *)
    echo "usage: Scripts/format.sh [--check]" >&2
    exit 2
    ;;
esac
