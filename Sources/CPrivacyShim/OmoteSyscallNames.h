// Every syscall the guard's policy names (allowed, checked, refused or killed), each only where this architecture
// has it. Included by CPrivacyShim.c inside its name → number table. Long because it is a table, not logic: three
// lines per syscall (the #ifdef keeps each architecture's own set).
// clang-format off
#ifdef __NR_read
OMOTE_SYSCALL(read)
#endif
#ifdef __NR_readv
OMOTE_SYSCALL(readv)
#endif
#ifdef __NR_pread64
OMOTE_SYSCALL(pread64)
#endif
#ifdef __NR_preadv
OMOTE_SYSCALL(preadv)
#endif
#ifdef __NR_preadv2
OMOTE_SYSCALL(preadv2)
#endif
#ifdef __NR_write
OMOTE_SYSCALL(write)
#endif
#ifdef __NR_writev
OMOTE_SYSCALL(writev)
#endif
#ifdef __NR_pwrite64
OMOTE_SYSCALL(pwrite64)
#endif
#ifdef __NR_pwritev
OMOTE_SYSCALL(pwritev)
#endif
#ifdef __NR_pwritev2
OMOTE_SYSCALL(pwritev2)
#endif
#ifdef __NR_open
OMOTE_SYSCALL(open)
#endif
#ifdef __NR_openat
OMOTE_SYSCALL(openat)
#endif
#ifdef __NR_openat2
OMOTE_SYSCALL(openat2)
#endif
#ifdef __NR_creat
OMOTE_SYSCALL(creat)
#endif
#ifdef __NR_close
OMOTE_SYSCALL(close)
#endif
#ifdef __NR_close_range
OMOTE_SYSCALL(close_range)
#endif
#ifdef __NR_lseek
OMOTE_SYSCALL(lseek)
#endif
#ifdef __NR_stat
OMOTE_SYSCALL(stat)
#endif
#ifdef __NR_fstat
OMOTE_SYSCALL(fstat)
#endif
#ifdef __NR_lstat
OMOTE_SYSCALL(lstat)
#endif
#ifdef __NR_newfstatat
OMOTE_SYSCALL(newfstatat)
#endif
#ifdef __NR_statx
OMOTE_SYSCALL(statx)
#endif
#ifdef __NR_statfs
OMOTE_SYSCALL(statfs)
#endif
#ifdef __NR_fstatfs
OMOTE_SYSCALL(fstatfs)
#endif
#ifdef __NR_getdents64
OMOTE_SYSCALL(getdents64)
#endif
#ifdef __NR_readlink
OMOTE_SYSCALL(readlink)
#endif
#ifdef __NR_readlinkat
OMOTE_SYSCALL(readlinkat)
#endif
#ifdef __NR_access
OMOTE_SYSCALL(access)
#endif
#ifdef __NR_faccessat
OMOTE_SYSCALL(faccessat)
#endif
#ifdef __NR_faccessat2
OMOTE_SYSCALL(faccessat2)
#endif
#ifdef __NR_getcwd
OMOTE_SYSCALL(getcwd)
#endif
#ifdef __NR_brk
OMOTE_SYSCALL(brk)
#endif
#ifdef __NR_mmap
OMOTE_SYSCALL(mmap)
#endif
#ifdef __NR_munmap
OMOTE_SYSCALL(munmap)
#endif
#ifdef __NR_mremap
OMOTE_SYSCALL(mremap)
#endif
#ifdef __NR_mprotect
OMOTE_SYSCALL(mprotect)
#endif
#ifdef __NR_madvise
OMOTE_SYSCALL(madvise)
#endif
#ifdef __NR_mlock
OMOTE_SYSCALL(mlock)
#endif
#ifdef __NR_mlock2
OMOTE_SYSCALL(mlock2)
#endif
#ifdef __NR_munlock
OMOTE_SYSCALL(munlock)
#endif
#ifdef __NR_mlockall
OMOTE_SYSCALL(mlockall)
#endif
#ifdef __NR_munlockall
OMOTE_SYSCALL(munlockall)
#endif
#ifdef __NR_mincore
OMOTE_SYSCALL(mincore)
#endif
#ifdef __NR_msync
OMOTE_SYSCALL(msync)
#endif
#ifdef __NR_membarrier
OMOTE_SYSCALL(membarrier)
#endif
#ifdef __NR_futex
OMOTE_SYSCALL(futex)
#endif
#ifdef __NR_futex_waitv
OMOTE_SYSCALL(futex_waitv)
#endif
#ifdef __NR_set_robust_list
OMOTE_SYSCALL(set_robust_list)
#endif
#ifdef __NR_get_robust_list
OMOTE_SYSCALL(get_robust_list)
#endif
#ifdef __NR_rseq
OMOTE_SYSCALL(rseq)
#endif
#ifdef __NR_set_tid_address
OMOTE_SYSCALL(set_tid_address)
#endif
#ifdef __NR_arch_prctl
OMOTE_SYSCALL(arch_prctl)
#endif
#ifdef __NR_sched_yield
OMOTE_SYSCALL(sched_yield)
#endif
#ifdef __NR_sched_getaffinity
OMOTE_SYSCALL(sched_getaffinity)
#endif
#ifdef __NR_sched_setaffinity
OMOTE_SYSCALL(sched_setaffinity)
#endif
#ifdef __NR_getrandom
OMOTE_SYSCALL(getrandom)
#endif
#ifdef __NR_clock_gettime
OMOTE_SYSCALL(clock_gettime)
#endif
#ifdef __NR_clock_getres
OMOTE_SYSCALL(clock_getres)
#endif
#ifdef __NR_clock_nanosleep
OMOTE_SYSCALL(clock_nanosleep)
#endif
#ifdef __NR_nanosleep
OMOTE_SYSCALL(nanosleep)
#endif
#ifdef __NR_gettimeofday
OMOTE_SYSCALL(gettimeofday)
#endif
#ifdef __NR_time
OMOTE_SYSCALL(time)
#endif
#ifdef __NR_getpid
OMOTE_SYSCALL(getpid)
#endif
#ifdef __NR_gettid
OMOTE_SYSCALL(gettid)
#endif
#ifdef __NR_getppid
OMOTE_SYSCALL(getppid)
#endif
#ifdef __NR_getuid
OMOTE_SYSCALL(getuid)
#endif
#ifdef __NR_geteuid
OMOTE_SYSCALL(geteuid)
#endif
#ifdef __NR_getgid
OMOTE_SYSCALL(getgid)
#endif
#ifdef __NR_getegid
OMOTE_SYSCALL(getegid)
#endif
#ifdef __NR_getresuid
OMOTE_SYSCALL(getresuid)
#endif
#ifdef __NR_getresgid
OMOTE_SYSCALL(getresgid)
#endif
#ifdef __NR_getpgrp
OMOTE_SYSCALL(getpgrp)
#endif
#ifdef __NR_uname
OMOTE_SYSCALL(uname)
#endif
#ifdef __NR_sysinfo
OMOTE_SYSCALL(sysinfo)
#endif
#ifdef __NR_getrusage
OMOTE_SYSCALL(getrusage)
#endif
#ifdef __NR_times
OMOTE_SYSCALL(times)
#endif
#ifdef __NR_exit
OMOTE_SYSCALL(exit)
#endif
#ifdef __NR_exit_group
OMOTE_SYSCALL(exit_group)
#endif
#ifdef __NR_restart_syscall
OMOTE_SYSCALL(restart_syscall)
#endif
#ifdef __NR_rt_sigreturn
OMOTE_SYSCALL(rt_sigreturn)
#endif
#ifdef __NR_rt_sigaction
OMOTE_SYSCALL(rt_sigaction)
#endif
#ifdef __NR_rt_sigprocmask
OMOTE_SYSCALL(rt_sigprocmask)
#endif
#ifdef __NR_sigaltstack
OMOTE_SYSCALL(sigaltstack)
#endif
#ifdef __NR_rt_sigpending
OMOTE_SYSCALL(rt_sigpending)
#endif
#ifdef __NR_rt_sigsuspend
OMOTE_SYSCALL(rt_sigsuspend)
#endif
#ifdef __NR_rt_sigtimedwait
OMOTE_SYSCALL(rt_sigtimedwait)
#endif
#ifdef __NR_kill
OMOTE_SYSCALL(kill)
#endif
#ifdef __NR_tgkill
OMOTE_SYSCALL(tgkill)
#endif
#ifdef __NR_tkill
OMOTE_SYSCALL(tkill)
#endif
#ifdef __NR_rt_sigqueueinfo
OMOTE_SYSCALL(rt_sigqueueinfo)
#endif
#ifdef __NR_rt_tgsigqueueinfo
OMOTE_SYSCALL(rt_tgsigqueueinfo)
#endif
#ifdef __NR_pidfd_open
OMOTE_SYSCALL(pidfd_open)
#endif
#ifdef __NR_pidfd_send_signal
OMOTE_SYSCALL(pidfd_send_signal)
#endif
#ifdef __NR_pidfd_getfd
OMOTE_SYSCALL(pidfd_getfd)
#endif
#ifdef __NR_poll
OMOTE_SYSCALL(poll)
#endif
#ifdef __NR_ppoll
OMOTE_SYSCALL(ppoll)
#endif
#ifdef __NR_select
OMOTE_SYSCALL(select)
#endif
#ifdef __NR_pselect6
OMOTE_SYSCALL(pselect6)
#endif
#ifdef __NR_epoll_create1
OMOTE_SYSCALL(epoll_create1)
#endif
#ifdef __NR_epoll_ctl
OMOTE_SYSCALL(epoll_ctl)
#endif
#ifdef __NR_epoll_wait
OMOTE_SYSCALL(epoll_wait)
#endif
#ifdef __NR_epoll_pwait
OMOTE_SYSCALL(epoll_pwait)
#endif
#ifdef __NR_eventfd2
OMOTE_SYSCALL(eventfd2)
#endif
#ifdef __NR_pipe
OMOTE_SYSCALL(pipe)
#endif
#ifdef __NR_pipe2
OMOTE_SYSCALL(pipe2)
#endif
#ifdef __NR_dup
OMOTE_SYSCALL(dup)
#endif
#ifdef __NR_dup2
OMOTE_SYSCALL(dup2)
#endif
#ifdef __NR_dup3
OMOTE_SYSCALL(dup3)
#endif
#ifdef __NR_fcntl
OMOTE_SYSCALL(fcntl)
#endif
#ifdef __NR_ioctl
OMOTE_SYSCALL(ioctl)
#endif
#ifdef __NR_prctl
OMOTE_SYSCALL(prctl)
#endif
#ifdef __NR_prlimit64
OMOTE_SYSCALL(prlimit64)
#endif
#ifdef __NR_getrlimit
OMOTE_SYSCALL(getrlimit)
#endif
#ifdef __NR_setrlimit
OMOTE_SYSCALL(setrlimit)
#endif
#ifdef __NR_clone
OMOTE_SYSCALL(clone)
#endif
#ifdef __NR_clone3
OMOTE_SYSCALL(clone3)
#endif
#ifdef __NR_fork
OMOTE_SYSCALL(fork)
#endif
#ifdef __NR_vfork
OMOTE_SYSCALL(vfork)
#endif
#ifdef __NR_socket
OMOTE_SYSCALL(socket)
#endif
#ifdef __NR_socketpair
OMOTE_SYSCALL(socketpair)
#endif
#ifdef __NR_connect
OMOTE_SYSCALL(connect)
#endif
#ifdef __NR_bind
OMOTE_SYSCALL(bind)
#endif
#ifdef __NR_listen
OMOTE_SYSCALL(listen)
#endif
#ifdef __NR_accept
OMOTE_SYSCALL(accept)
#endif
#ifdef __NR_accept4
OMOTE_SYSCALL(accept4)
#endif
#ifdef __NR_sendto
OMOTE_SYSCALL(sendto)
#endif
#ifdef __NR_sendmsg
OMOTE_SYSCALL(sendmsg)
#endif
#ifdef __NR_sendmmsg
OMOTE_SYSCALL(sendmmsg)
#endif
#ifdef __NR_recvfrom
OMOTE_SYSCALL(recvfrom)
#endif
#ifdef __NR_recvmsg
OMOTE_SYSCALL(recvmsg)
#endif
#ifdef __NR_recvmmsg
OMOTE_SYSCALL(recvmmsg)
#endif
#ifdef __NR_shutdown
OMOTE_SYSCALL(shutdown)
#endif
#ifdef __NR_getsockopt
OMOTE_SYSCALL(getsockopt)
#endif
#ifdef __NR_setsockopt
OMOTE_SYSCALL(setsockopt)
#endif
#ifdef __NR_getsockname
OMOTE_SYSCALL(getsockname)
#endif
#ifdef __NR_getpeername
OMOTE_SYSCALL(getpeername)
#endif
#ifdef __NR_execve
OMOTE_SYSCALL(execve)
#endif
#ifdef __NR_execveat
OMOTE_SYSCALL(execveat)
#endif
#ifdef __NR_ptrace
OMOTE_SYSCALL(ptrace)
#endif
#ifdef __NR_process_vm_readv
OMOTE_SYSCALL(process_vm_readv)
#endif
#ifdef __NR_process_vm_writev
OMOTE_SYSCALL(process_vm_writev)
#endif
#ifdef __NR_io_uring_setup
OMOTE_SYSCALL(io_uring_setup)
#endif
#ifdef __NR_io_uring_enter
OMOTE_SYSCALL(io_uring_enter)
#endif
#ifdef __NR_io_uring_register
OMOTE_SYSCALL(io_uring_register)
#endif
#ifdef __NR_open_by_handle_at
OMOTE_SYSCALL(open_by_handle_at)
#endif
#ifdef __NR_name_to_handle_at
OMOTE_SYSCALL(name_to_handle_at)
#endif
#ifdef __NR_memfd_create
OMOTE_SYSCALL(memfd_create)
#endif
#ifdef __NR_memfd_secret
OMOTE_SYSCALL(memfd_secret)
#endif
#ifdef __NR_userfaultfd
OMOTE_SYSCALL(userfaultfd)
#endif
#ifdef __NR_perf_event_open
OMOTE_SYSCALL(perf_event_open)
#endif
#ifdef __NR_bpf
OMOTE_SYSCALL(bpf)
#endif
#ifdef __NR_add_key
OMOTE_SYSCALL(add_key)
#endif
#ifdef __NR_request_key
OMOTE_SYSCALL(request_key)
#endif
#ifdef __NR_keyctl
OMOTE_SYSCALL(keyctl)
#endif
#ifdef __NR_shmget
OMOTE_SYSCALL(shmget)
#endif
#ifdef __NR_shmat
OMOTE_SYSCALL(shmat)
#endif
#ifdef __NR_shmdt
OMOTE_SYSCALL(shmdt)
#endif
#ifdef __NR_shmctl
OMOTE_SYSCALL(shmctl)
#endif
#ifdef __NR_msgget
OMOTE_SYSCALL(msgget)
#endif
#ifdef __NR_msgsnd
OMOTE_SYSCALL(msgsnd)
#endif
#ifdef __NR_msgrcv
OMOTE_SYSCALL(msgrcv)
#endif
#ifdef __NR_msgctl
OMOTE_SYSCALL(msgctl)
#endif
#ifdef __NR_semget
OMOTE_SYSCALL(semget)
#endif
#ifdef __NR_semop
OMOTE_SYSCALL(semop)
#endif
#ifdef __NR_semtimedop
OMOTE_SYSCALL(semtimedop)
#endif
#ifdef __NR_semctl
OMOTE_SYSCALL(semctl)
#endif
#ifdef __NR_mq_open
OMOTE_SYSCALL(mq_open)
#endif
#ifdef __NR_kexec_load
OMOTE_SYSCALL(kexec_load)
#endif
#ifdef __NR_kexec_file_load
OMOTE_SYSCALL(kexec_file_load)
#endif
#ifdef __NR_init_module
OMOTE_SYSCALL(init_module)
#endif
#ifdef __NR_finit_module
OMOTE_SYSCALL(finit_module)
#endif
#ifdef __NR_delete_module
OMOTE_SYSCALL(delete_module)
#endif
#ifdef __NR_mount
OMOTE_SYSCALL(mount)
#endif
#ifdef __NR_umount2
OMOTE_SYSCALL(umount2)
#endif
#ifdef __NR_pivot_root
OMOTE_SYSCALL(pivot_root)
#endif
#ifdef __NR_chroot
OMOTE_SYSCALL(chroot)
#endif
#ifdef __NR_setns
OMOTE_SYSCALL(setns)
#endif
#ifdef __NR_unshare
OMOTE_SYSCALL(unshare)
#endif
#ifdef __NR_fanotify_init
OMOTE_SYSCALL(fanotify_init)
#endif
#ifdef __NR_inotify_init1
OMOTE_SYSCALL(inotify_init1)
#endif
#ifdef __NR_swapon
OMOTE_SYSCALL(swapon)
#endif
#ifdef __NR_swapoff
OMOTE_SYSCALL(swapoff)
#endif
#ifdef __NR_reboot
OMOTE_SYSCALL(reboot)
#endif
#ifdef __NR_acct
OMOTE_SYSCALL(acct)
#endif
#ifdef __NR_iopl
OMOTE_SYSCALL(iopl)
#endif
#ifdef __NR_ioperm
OMOTE_SYSCALL(ioperm)
#endif
#ifdef __NR_setxattr
OMOTE_SYSCALL(setxattr)
#endif
#ifdef __NR_lsetxattr
OMOTE_SYSCALL(lsetxattr)
#endif
#ifdef __NR_fsetxattr
OMOTE_SYSCALL(fsetxattr)
#endif
#ifdef __NR_removexattr
OMOTE_SYSCALL(removexattr)
#endif
#ifdef __NR_lremovexattr
OMOTE_SYSCALL(lremovexattr)
#endif
#ifdef __NR_fremovexattr
OMOTE_SYSCALL(fremovexattr)
#endif
#ifdef __NR_utimensat
OMOTE_SYSCALL(utimensat)
#endif
#ifdef __NR_utimes
OMOTE_SYSCALL(utimes)
#endif
#ifdef __NR_utime
OMOTE_SYSCALL(utime)
#endif
#ifdef __NR_futimesat
OMOTE_SYSCALL(futimesat)
#endif
#ifdef __NR_chmod
OMOTE_SYSCALL(chmod)
#endif
#ifdef __NR_fchmod
OMOTE_SYSCALL(fchmod)
#endif
#ifdef __NR_fchmodat
OMOTE_SYSCALL(fchmodat)
#endif
#ifdef __NR_fchmodat2
OMOTE_SYSCALL(fchmodat2)
#endif
#ifdef __NR_chown
OMOTE_SYSCALL(chown)
#endif
#ifdef __NR_fchown
OMOTE_SYSCALL(fchown)
#endif
#ifdef __NR_lchown
OMOTE_SYSCALL(lchown)
#endif
#ifdef __NR_fchownat
OMOTE_SYSCALL(fchownat)
#endif
#ifdef __NR_truncate
OMOTE_SYSCALL(truncate)
#endif
#ifdef __NR_ftruncate
OMOTE_SYSCALL(ftruncate)
#endif
#ifdef __NR_fallocate
OMOTE_SYSCALL(fallocate)
#endif
#ifdef __NR_rename
OMOTE_SYSCALL(rename)
#endif
#ifdef __NR_renameat
OMOTE_SYSCALL(renameat)
#endif
#ifdef __NR_renameat2
OMOTE_SYSCALL(renameat2)
#endif
#ifdef __NR_unlink
OMOTE_SYSCALL(unlink)
#endif
#ifdef __NR_unlinkat
OMOTE_SYSCALL(unlinkat)
#endif
#ifdef __NR_mkdir
OMOTE_SYSCALL(mkdir)
#endif
#ifdef __NR_mkdirat
OMOTE_SYSCALL(mkdirat)
#endif
#ifdef __NR_mknod
OMOTE_SYSCALL(mknod)
#endif
#ifdef __NR_mknodat
OMOTE_SYSCALL(mknodat)
#endif
#ifdef __NR_link
OMOTE_SYSCALL(link)
#endif
#ifdef __NR_linkat
OMOTE_SYSCALL(linkat)
#endif
#ifdef __NR_symlink
OMOTE_SYSCALL(symlink)
#endif
#ifdef __NR_symlinkat
OMOTE_SYSCALL(symlinkat)
#endif
#ifdef __NR_splice
OMOTE_SYSCALL(splice)
#endif
#ifdef __NR_tee
OMOTE_SYSCALL(tee)
#endif
#ifdef __NR_vmsplice
OMOTE_SYSCALL(vmsplice)
#endif
#ifdef __NR_sendfile
OMOTE_SYSCALL(sendfile)
#endif
#ifdef __NR_copy_file_range
OMOTE_SYSCALL(copy_file_range)
#endif
#ifdef __NR_seccomp
OMOTE_SYSCALL(seccomp)
#endif
#ifdef __NR_landlock_create_ruleset
OMOTE_SYSCALL(landlock_create_ruleset)
#endif
#ifdef __NR_landlock_add_rule
OMOTE_SYSCALL(landlock_add_rule)
#endif
#ifdef __NR_landlock_restrict_self
OMOTE_SYSCALL(landlock_restrict_self)
#endif
#ifdef __NR_wait4
OMOTE_SYSCALL(wait4)
#endif
#ifdef __NR_waitid
OMOTE_SYSCALL(waitid)
#endif
