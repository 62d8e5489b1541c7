import CPrivacyShim
import Testing

@testable import OmotePrivacy

#if canImport(Glibc)
import Glibc
#endif

@Suite("seccomp steady-state program (stacked after the first result)")
struct SteadyStateFilterTests {
    let engagement: SeccompFilter
    let program: [omote_sock_filter]

    init() throws {
        engagement = try SeccompFilter.forThisMachine(context: .init(processID: 4242, cameraDescriptors: [7]))
        program = try SeccompFilter.steadyStateForThisMachine()
    }

    func decide(_ name: String, _ args: [UInt64] = []) throws -> UInt32? {
        let value = omote_syscall_number(name)
        try #require(value >= 0, "\(name) has no number here")
        return evaluate(program, arch: engagement.architecture, nr: UInt32(value), args: args)
    }

    @Test("every syscall number reaches a return; a foreign architecture is killed")
    func wellFormed() {
        #expect(program.count < 4096)
        for nr: UInt32 in 0 ..< 1024 {
            #expect(evaluate(program, arch: engagement.architecture, nr: nr) != nil, "nr \(nr) fell off the program")
        }
        #expect(evaluate(program, arch: engagement.architecture ^ 1, nr: 0) == SeccompFilter.kill)
    }

    @Test("opens and path look-ups are refused, whatever the flags")
    func noOpens() throws {
        for name in SeccompFilter.refusedInSteadyStateNames where omote_syscall_number(name) >= 0 {
            #expect(try decide(name, [0, 0, UInt64(O_RDONLY | O_CLOEXEC)]) == SeccompFilter.deny, "\(name)")
        }
        #expect(try decide("openat", [0, 0, UInt64(O_RDONLY)]) == SeccompFilter.deny)
    }

    @Test("what a frame needs stays to the engagement filter: read, write, ioctl, futex, threads, fstat")
    func steadyCallsPass() throws {
        for name in ["read", "write", "ioctl", "futex", "clock_nanosleep", "clone", "munmap", "brk", "newfstatat"] {
            #expect(try decide(name) == SeccompFilter.allow, "\(name)")
        }
    }

    @Test("mmap only of anonymous, non-executable memory; mprotect never adds PROT_EXEC")
    func memory() throws {
        let anonymous = UInt64(MAP_PRIVATE | MAP_ANONYMOUS)
        let readWrite = UInt64(PROT_READ | PROT_WRITE)
        #expect(try decide("mmap", [0, 4096, readWrite, anonymous, 0xFFFF_FFFF_FFFF_FFFF, 0]) == SeccompFilter.allow)
        #expect(try decide("mmap", [0, 4096, UInt64(PROT_READ), UInt64(MAP_PRIVATE), 3, 0]) == SeccompFilter.deny)
        #expect(try decide("mmap", [0, 4096, UInt64(PROT_READ | PROT_EXEC), anonymous, 0, 0]) == SeccompFilter.deny)
        #expect(try decide("mprotect", [0, 4096, UInt64(PROT_NONE)]) == SeccompFilter.allow)
        #expect(try decide("mprotect", [0, 4096, readWrite]) == SeccompFilter.allow)
        #expect(try decide("mprotect", [0, 4096, UInt64(PROT_READ | PROT_EXEC)]) == SeccompFilter.deny)
    }

    @Test("the engagement filter lets a process add a filter (TSYNC only), nothing else of seccomp")
    func engagementAllowsNarrowing() throws {
        let seccomp = UInt32(omote_syscall_number("seccomp"))
        func decide(_ args: [UInt64]) -> UInt32? {
            evaluate(engagement.instructions, arch: engagement.architecture, nr: seccomp, args: args)
        }
        #expect(decide([1, 1, 0]) == SeccompFilter.allow, "SECCOMP_SET_MODE_FILTER with TSYNC")
        #expect(decide([1, 1 | 8, 0]) == SeccompFilter.deny, "with a user-notification listener")
        #expect(decide([1, 0x1_0000_0001, 0]) == SeccompFilter.deny, "stray high bits in the flags")
        #expect(decide([0, 0, 0]) == SeccompFilter.deny, "strict mode")
        #expect(decide([2, 0, 0]) == SeccompFilter.deny, "SECCOMP_GET_ACTION_AVAIL")
    }
}
