#ifndef OMOTE_CPRIVACY_SHIM_H
#define OMOTE_CPRIVACY_SHIM_H
// prctl is variadic and Landlock/seccomp have no libc wrappers; Debian 12's kernel headers predate Landlock ABI 4-7,
// so the newer flags are defined here. Everything else lives in Swift (OmotePrivacy).
#include <stddef.h>
#include <stdint.h>

/// Landlock ABI version the running kernel offers (0 when Landlock is unavailable or disabled).
int omote_landlock_abi_version(void);
/// prctl with a fixed arity; returns the raw result (-1 and errno on failure).
int omote_prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5);
/// Wipes memory with a store the optimiser cannot elide.
void omote_secure_zero(void *p, size_t n);

#endif
