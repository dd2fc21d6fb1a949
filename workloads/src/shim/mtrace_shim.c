/*
 * mtrace shim of mempool workbench's recorder (workloads::record).
 *
 * Preloaded after glibc's libc_malloc_debug.so.0 (which holds the working mtrace() since
 * glibc 2.34). When WORKLOADS_MTRACE_DIR is set, the constructor points MALLOC_TRACE at a
 * file of this process's own,
 *
 *     $WORKLOADS_MTRACE_DIR/<program>.<pid>.<segment>.mtrace
 *
 * and calls mtrace(), so every process (exec'd children load the shim again) writes its own
 * log. A fork without exec would share the parent's open log and its unflushed buffer, so
 * around fork() the parent closes its log (muntrace flushes it), then both processes start
 * a new one: the parent the next segment, the child segment 0 under its own pid.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <mcheck.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static unsigned segment;

static void start_segment(void)
{
    char path[4096];
    const char *dir = getenv("WORKLOADS_MTRACE_DIR");
    int n;

    if (dir == NULL || *dir == '\0')
        return;
    n = snprintf(path, sizeof path, "%s/%s.%ld.%u.mtrace", dir,
                 program_invocation_short_name, (long)getpid(), segment);
    if (n < 0 || (size_t)n >= sizeof path)
        return;
    if (setenv("MALLOC_TRACE", path, 1) != 0)
        return;
    mtrace();
}

static void before_fork(void)
{
    muntrace();
}

static void parent_after_fork(void)
{
    segment++;
    start_segment();
}

static void child_after_fork(void)
{
    segment = 0;
    start_segment();
}

__attribute__((constructor)) static void workloads_mtrace_shim_init(void)
{
    int saved = errno;

    if (getenv("WORKLOADS_MTRACE_DIR") != NULL) {
        pthread_atfork(before_fork, parent_after_fork, child_after_fork);
        start_segment();
    }
    errno = saved;
}
