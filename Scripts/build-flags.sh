# Sourced by the other scripts: the release configuration every command shares (one .build, no rebuilds between them).
# x86-64-v3 (AVX2 + FMA) when this CPU has it: Swift's default x86-64 target turns SIMD8 FMAs into per-lane libm calls.
# Kept out of Package.swift (unsafeFlags would make Omote unusable as a dependency); other CPUs get a portable build.
OMOTE_SWIFT_FLAGS=(-c release -Xswiftc -enable-testing)
if [ "$(uname -m)" = x86_64 ] && grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && grep -qw bmi2 /proc/cpuinfo; then
  OMOTE_SWIFT_FLAGS+=(-Xcc -march=x86-64-v3)
fi
