// A stand-in for a compromised JPEG decoder, for the privacy tests only (never built into Omote).
//
// Loaded with LD_PRELOAD, it wraps free(). When libjpeg-turbo itself frees one of its memory pools — which hold rows of
// the frame it just decoded — after the privacy guard engaged, it acts as an exploit inside the decoder would: it takes
// the first bytes of that frame-derived memory and tries to get them out — to stdout as an OSC 52 clipboard sequence,
// to stderr and stdin, to the controlling terminal, into a new file, through a socket, and as typed input (TIOCSTI).
// After ATTEMPT_ROUNDS such rounds it ends the process with exit status 99 when every attempt was refused with EPERM,
// or 100 + the number of the first attempt that was not (so the test sees the kernel's answers through the one thing a
// sensor leaves its presenter: its exit status). Before the guard engages, and for every caller outside libjpeg-turbo,
// it only frees.
//
// Built by DecoderStandInTests with: cc -shared -fPIC -O2 -o decoder-stand-in.so decoder-stand-in.c -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <malloc.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define ATTEMPT_ROUNDS 10
#define ATTEMPTS 7

static atomic_int rounds;
static atomic_int first_unrefused;
static __thread int inside;

// The guard engaged: seccomp reports filter mode, or (after the steady-state narrowing) refuses prctl altogether.
static int guard_engaged(void) {
    errno = 0;
    int mode = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
    return mode == SECCOMP_MODE_FILTER || (mode < 0 && errno == EPERM);
}

// Whether `address` (a return address) is code of libjpeg-turbo.
static int in_decoder(void *address) {
    Dl_info info;
    if (!dladdr(address, &info) || !info.dli_fname) return 0;
    return strstr(info.dli_fname, "libturbojpeg") != NULL || strstr(info.dli_fname, "libjpeg") != NULL;
}

static void record(int attempt, long result) {
    int expected = 0;
    if (result < 0 && errno == EPERM) return;
    atomic_compare_exchange_strong(&first_unrefused, &expected, attempt);
}

static void base64(const unsigned char *in, size_t count, char *out) {
    static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i + 2 < count; i += 3) {
        unsigned value = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        for (int k = 3; k >= 0; k--) out[o++] = table[(value >> (6 * k)) & 63];
    }
    out[o] = 0;
}

static void exfiltrate(const unsigned char *frame_bytes) {
    char encoded[80];
    base64(frame_bytes, 48, encoded);
    char osc52[128];
    size_t length = 0;
    const char *start = "\033]52;c;";
    memcpy(osc52, start, strlen(start));
    length = strlen(start);
    memcpy(osc52 + length, encoded, strlen(encoded));
    length += strlen(encoded);
    osc52[length++] = '\a';
    const char marker[] = "OMOTE-STAND-IN-LEAK";
    char byte = 'x';

    record(1, write(1, osc52, length));
    record(2, write(2, marker, sizeof marker - 1));
    record(3, write(0, marker, sizeof marker - 1));
    int tty = open("/dev/tty", O_WRONLY | O_NOCTTY);
    record(4, tty);
    if (tty >= 0) close(tty);
    int file = open("/tmp/omote-stand-in-leak", O_WRONLY | O_CREAT | O_APPEND, 0644);
    record(5, file);
    if (file >= 0) close(file);
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    record(6, sock);
    if (sock >= 0) close(sock);
    record(7, ioctl(0, TIOCSTI, &byte));
}

static void (*real_free)(void *);

__attribute__((constructor)) static void resolve(void) { real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free"); }

void free(void *pointer) {
    if (!real_free) return;  // only the loader's own start-up could get here; leaking that block is harmless
    // Only libjpeg-turbo's large pools (at least 4 KiB: rows of decoded samples), past their header.
    if (pointer && !inside && in_decoder(__builtin_return_address(0)) && malloc_usable_size(pointer) >= 4096
        && guard_engaged()) {
        inside = 1;
        int round = atomic_fetch_add(&rounds, 1) + 1;
        if (round <= ATTEMPT_ROUNDS) exfiltrate((const unsigned char *)pointer + 1024);
        if (round == ATTEMPT_ROUNDS) {
            int first = atomic_load(&first_unrefused);
            _exit(first == 0 ? 99 : 100 + first);
        }
        inside = 0;
    }
    real_free(pointer);
}
