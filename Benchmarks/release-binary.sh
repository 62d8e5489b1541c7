# Sourced by the compare scripts: strict mode, the repository root ($root), the shared release flags, and
# release_binary PACKAGE_DIR PRODUCT, which builds PRODUCT there (niced, output to stderr) and prints its path.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/Scripts/build-flags.sh"

release_binary() {
  (cd "$1" && nice swift build "${OMOTE_SWIFT_FLAGS[@]}" --product "$2" >&2 &&
    echo "$(swift build "${OMOTE_SWIFT_FLAGS[@]}" --show-bin-path)/$2")
}
