import CPrivacyShim
import OmoteCore
import OmotePrivacy

#if canImport(Glibc)
import Glibc
#endif

/// The steady-state narrowing, attempted: what start-up could do (open a file for reading, check or resolve paths, map
/// a file, make memory executable, read its own prctl state) must fail once `PrivacyGuard.narrowForSteadyState` ran — on the
/// main thread and on a thread started afterwards — while what a frame needs (reading an open descriptor, anonymous
/// memory) still works. Runs last: nothing after it may open a file.
extension GuardAttempts {
    static func steadyStateChecks(fixture: SelfTestFixture) -> [AttemptResult] {
        var results: [AttemptResult] = []
        func attempt(_ act: String, expect expected: String = "EPERM", _ body: () -> Int) {
            results.append(AttemptResult(scope: "steady", act: act, expected: expected, attempting: body))
        }
        let existing = fixture.existing
        // Opened during "start-up", like the clip and the camera.
        let descriptor = open(existing, O_RDONLY | O_CLOEXEC)
        attempt("open-read-before-narrowing", expect: "ok") { Int(descriptor) }
        let narrowed: String
        do throws(OmoteError) {
            try PrivacyGuard.narrowForSteadyState()
            narrowed = "ok"
        } catch {
            narrowed = error.code.rawValue
        }
        results.append(AttemptResult(scope: "steady", act: "narrow", outcome: narrowed, expected: "ok"))

        attempt("open-read") { closing(open(existing, O_RDONLY | O_CLOEXEC)) }
        attempt("openat-read") { closing(openat(AT_FDCWD, existing, O_RDONLY | O_CLOEXEC)) }
        attempt("access-path") { Int(access(existing, R_OK)) }
        var link = [CChar](repeating: 0, count: 256)
        attempt("readlink-proc-self-exe") { readlink("/proc/self/exe", &link, link.count) }
        attempt("prctl-get-seccomp") { Int(omote_prctl(PR_GET_SECCOMP, 0, 0, 0, 0)) }
        attempt("mmap-file") { mapped(mmap(nil, 4096, PROT_READ, MAP_PRIVATE, descriptor, 0)) }
        attempt("mmap-anonymous-executable") {
            mapped(mmap(nil, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        }
        let page = mmap(nil, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        attempt("mmap-private-anonymous", expect: "ok") { mapped(page, keep: true) }
        attempt("mprotect-add-exec") { Int(mprotect(page, 4096, PROT_READ | PROT_EXEC)) }
        if let page, page != MAP_FAILED { munmap(page, 4096) }
        var byte: UInt8 = 0
        attempt("read-open-descriptor", expect: "ok") { read(descriptor, &byte, 1) }
        if descriptor >= 0 { close(descriptor) }

        // A thread started after narrowing inherits the filter.
        var thread = pthread_t()
        let path = strdup(existing)
        let created = pthread_create(
            &thread, nil,
            { argument in
                let path = argument!.assumingMemoryBound(to: CChar.self)
                let descriptor = open(path, O_RDONLY | O_CLOEXEC)
                let outcome = descriptor >= 0 ? 0 : Int(errno)
                if descriptor >= 0 { close(descriptor) }
                return UnsafeMutableRawPointer(bitPattern: outcome + 1)
            }, path)
        var threadOutcome = "thread-not-started:\(errnoName(created))"
        if created == 0 {
            var returned: UnsafeMutableRawPointer?
            pthread_join(thread, &returned)
            let code = Int(bitPattern: returned) - 1
            threadOutcome = code == 0 ? "ok" : errnoName(Int32(code))
        }
        free(path)
        results.append(
            AttemptResult(scope: "steady", act: "thread-open-read", outcome: threadOutcome, expected: "EPERM"))
        return results
    }

    /// mmap's result as an attempt's: -1 (errno set) when refused; the mapping is released unless `keep`.
    private static func mapped(_ pointer: UnsafeMutableRawPointer?, keep: Bool = false) -> Int {
        guard let pointer, pointer != MAP_FAILED else { return -1 }
        if !keep { munmap(pointer, 4096) }
        return 0
    }
}
