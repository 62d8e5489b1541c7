#!/usr/bin/env bash
# Set up and run the whole test suite: the format check, then every test twice — in a checked build (assertions on)
# and in the release build the main job uses. Arguments (e.g. --filter X) go to both `swift test` runs.
#
# Checked build: the debug configuration (.build/debug, DEBUG defined, testable imports) compiled with -O and
# `-assert-config Debug`, so `assert` and `assertionFailure` fire as in a plain debug build, and without
# -march=x86-64-v3, so the portable code paths run too. It is optimised because the plain -Onone build is far too slow
# for the exactness suites (the networks against TFLite and MediaPipe fixtures run hundreds of inferences); optimised,
# every test runs in both builds, none skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh
Scripts/format.sh --check

echo "test: format check passed (${SECONDS}s); checked build (debug configuration, -O, assertions on, portable)" >&2
checked=(-Xswiftc -O -Xswiftc -assert-config -Xswiftc Debug)
swift build "${checked[@]}" --build-tests
swift test "${checked[@]}" --skip-build "$@"

echo "test: checked run passed (${SECONDS}s); release build (Scripts/build-flags.sh)" >&2
source Scripts/build-flags.sh
swift build "${OMOTE_SWIFT_FLAGS[@]}" --build-tests
swift test "${OMOTE_SWIFT_FLAGS[@]}" --skip-build "$@"
echo "test: all passed (${SECONDS}s)" >&2
