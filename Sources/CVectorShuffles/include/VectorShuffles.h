#ifndef OMOTE_VECTOR_SHUFFLES_H
#define OMOTE_VECTOR_SHUFFLES_H

/// Lane shuffles Swift's SIMD types cannot spell: LLVM turns element-wise Swift code for them into long chains of
/// inserts and blends. Static inline so the Swift optimiser inlines them into the hot loops; AVX where the build
/// targets it (x86-64-v3), plain C otherwise (portable and arm64 builds).

#if defined(__AVX__)
#include <immintrin.h>
#endif

/// Transposes the 8×8 row-major float matrix at `m` in place (row i, column j ↔ row j, column i). `m` needs no
/// particular alignment.
static inline void omote_transpose_8x8_f32(float *m) {
#if defined(__AVX__)
    __m256 r0 = _mm256_loadu_ps(m), r1 = _mm256_loadu_ps(m + 8), r2 = _mm256_loadu_ps(m + 16);
    __m256 r3 = _mm256_loadu_ps(m + 24), r4 = _mm256_loadu_ps(m + 32), r5 = _mm256_loadu_ps(m + 40);
    __m256 r6 = _mm256_loadu_ps(m + 48), r7 = _mm256_loadu_ps(m + 56);
    // Pairs of rows interleaved, then pairs of pairs, then the 128-bit halves exchanged.
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    _mm256_storeu_ps(m, _mm256_permute2f128_ps(s0, s4, 0x20));
    _mm256_storeu_ps(m + 8, _mm256_permute2f128_ps(s1, s5, 0x20));
    _mm256_storeu_ps(m + 16, _mm256_permute2f128_ps(s2, s6, 0x20));
    _mm256_storeu_ps(m + 24, _mm256_permute2f128_ps(s3, s7, 0x20));
    _mm256_storeu_ps(m + 32, _mm256_permute2f128_ps(s0, s4, 0x31));
    _mm256_storeu_ps(m + 40, _mm256_permute2f128_ps(s1, s5, 0x31));
    _mm256_storeu_ps(m + 48, _mm256_permute2f128_ps(s2, s6, 0x31));
    _mm256_storeu_ps(m + 56, _mm256_permute2f128_ps(s3, s7, 0x31));
    // The caller reads the result back as vectors: without this barrier LLVM forwards the stores to those loads
    // and re-derives each vector from the rows with extra shuffles and split 128-bit arithmetic.
    __asm__ __volatile__("" : : "r"(m) : "memory");
#else
    for (int i = 0; i < 8; i++) {
        for (int j = i + 1; j < 8; j++) {
            float t = m[i * 8 + j];
            m[i * 8 + j] = m[j * 8 + i];
            m[j * 8 + i] = t;
        }
    }
#endif
}

#endif
