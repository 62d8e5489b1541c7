#ifndef OMOTE_TARGET_FEATURES_H
#define OMOTE_TARGET_FEATURES_H

/// 1 when the build targets fused multiply-add in hardware (x86-64-v3 and up via -march, or arm64), else 0. Swift has
/// no compile-time test for target features; the C preprocessor does, and Swift imports the macro as a constant
/// that the optimiser folds. Without hardware FMA, LLVM lowers a vector fused multiply-add to one library call per
/// lane (about 100× slower), so the neural kernels multiply and add instead (see MultiplyAdd.swift).
#if defined(__FMA__) || defined(__aarch64__) || defined(__ARM_FEATURE_FMA)
#define OMOTE_TARGET_HAS_FMA 1
#else
#define OMOTE_TARGET_HAS_FMA 0
#endif

#endif
