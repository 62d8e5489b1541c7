// Test-only: counts the calling thread's heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc,
// memalign) by interposing them in the test executable and forwarding to glibc. Linked into the tests only.
#pragma once
unsigned long omote_thread_allocation_count(void);
