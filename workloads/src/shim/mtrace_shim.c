/*
 * mtrace shim of mempool workbench's recorder (workloads::record).
 *
 * Preloaded after glibc's libc_malloc_debug.so.0 (which holds the working mtrace() since
 * glibc 2.34). When WORKLOADS_MTRACE_DIR is set, every process image (the program a
 * process starts with, and each program it exec's) writes one log of its own:
 *
 *     $WORKLOADS_MTRACE_DIR/<pid>.<image>.mtrace
 *
 * <image> counts the images the pid has had: 0 for the program a process starts with, 1
 * after its first exec, and so on. Each image claims the first number whose log does not
 * exist yet by creating it with O_CREAT | O_EXCL, so no two images ever share or append to
 * a log, and the number is decided from the folder when the shim loads, not from anything
 * the program might drop from the environment it passes on. The log's first line names
 * the program, then comes glibc's mtrace output (`=` lines are markers to its readers):
 *
 *     = program <program_invocation_short_name, bytes outside '!'..'~' written as '_'>
 *
 * Pointing mtrace() at the claimed log: mtrace() reads MALLOC_TRACE with secure_getenv and
 * fopen()s it. Setting MALLOC_TRACE is unreliable (bash defines its own setenv, which a
 * setenv here reaches and which leaves what mtrace() reads unchanged: the previous image's
 * path stayed in force and two images wrote one log), so the shim calls mtrace() with a
 * one-entry environ and catches the debug library's fopen() call (this file defines fopen;
 * every other call goes to libc's), handing it a stream on the claimed log. The program's
 * environment is never changed. fclose() is caught the same way, to notice a program that
 * stops tracing itself (muntrace() closes the stream).
 *
 * The stream is flushed at every line end, so an image that exec's, calls _exit or is
 * killed loses at most the record it was writing at that moment (a last line cut short,
 * which the converter drops with a warning).
 *
 * fork(): the child would share the parent's stream and open file. Across fork the parent
 * holds the stream's lock with its buffer flushed, so no record is half-copied; the child
 * then claims a log of its own (under its own pid) and moves the stream's file descriptor
 * onto it with dup3(), so it goes on tracing, with the blocks it inherited live. vfork()
 * and posix_spawn() children run no fork handlers: they exec (loading the shim again) or
 * exit without tracing anything of their own.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <mcheck.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/* The folder for the logs, from WORKLOADS_MTRACE_DIR when the shim loaded. */
static char log_dir[4096];
/* The stream mtrace() writes (NULL when not tracing). */
static FILE *log_stream;
/*
 * The hand-over between start_tracing() and fopen(), which runs inside mtrace(): the claimed
 * log the next fopen() of this thread gets (or -1), and the stream it made of it. volatile:
 * the compiler cannot see that the library call mtrace() calls back into fopen() here.
 */
static __thread volatile int handover_fd = -1;
static __thread FILE *volatile handed_stream;
/* The stream's lock is held across a fork. */
static int locked_for_fork;

static int write_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        text += n;
        len -= (size_t)n;
    }
    return 0;
}

/*
 * Creates this image's log (the first free <pid>.<image>.mtrace) with its header line and
 * returns its descriptor, or -1.
 */
static int claim_log(void)
{
    char path[sizeof log_dir + 64];
    char header[320];
    const char *name = program_invocation_short_name;
    unsigned image;
    size_t len, i;
    int fd = -1;

    for (image = 0; image < 1000000; image++) {
        int n = snprintf(path, sizeof path, "%s/%ld.%u.mtrace", log_dir, (long)getpid(), image);
        if (n < 0 || (size_t)n >= sizeof path)
            return -1;
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0 || errno != EEXIST)
            break;
    }
    if (fd < 0)
        return -1;
    memcpy(header, "= program ", 10);
    len = 10;
    for (i = 0; name != NULL && name[i] != '\0' && len < sizeof header - 1; i++) {
        unsigned char c = (unsigned char)name[i];
        header[len++] = (c > ' ' && c < 0x7f) ? (char)c : '_';
    }
    if (len == 10)
        header[len++] = '_';
    header[len++] = '\n';
    if (write_all(fd, header, len) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The debug library's fopen() of MALLOC_TRACE, during start_tracing(), gets the claimed log. */
FILE *fopen(const char *path, const char *mode)
{
    static FILE *(*libc_fopen)(const char *, const char *);

    if (handover_fd >= 0) {
        int fd = handover_fd;
        handover_fd = -1;
        handed_stream = fdopen(fd, "w");
        if (handed_stream == NULL)
            close(fd);
        return handed_stream;
    }
    if (libc_fopen == NULL) {
        libc_fopen = (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, "fopen");
        if (libc_fopen == NULL) {
            errno = ENOSYS;
            return NULL;
        }
    }
    return libc_fopen(path, mode);
}

static void start_tracing(void)
{
    static char trace_var[] = "MALLOC_TRACE=workloads-mtrace-shim";
    char *only[] = {trace_var, NULL};
    char **saved = environ;
    int fd = claim_log();

    if (fd < 0)
        return;
    handover_fd = fd;
    handed_stream = NULL;
    environ = only;
    mtrace();
    environ = saved;
    if (handover_fd >= 0) {
        /* mtrace() did not open a stream through fopen(): nothing is traced. */
        close(handover_fd);
        handover_fd = -1;
        return;
    }
    log_stream = handed_stream;
    handed_stream = NULL;
    /* mtrace() gave the stream its own 512-byte buffer: keep it, flushed at every line end
       (glibc keeps the buffer when setvbuf gets _IOLBF and NULL). */
    if (log_stream != NULL)
        setvbuf(log_stream, NULL, _IOLBF, 0);
}

/* A program that stops tracing itself (muntrace()) closes the stream: forget it. */
int fclose(FILE *stream)
{
    static int (*libc_fclose)(FILE *);

    if (stream != NULL && stream == log_stream)
        log_stream = NULL;
    if (libc_fclose == NULL) {
        libc_fclose = (int (*)(FILE *))dlsym(RTLD_NEXT, "fclose");
        if (libc_fclose == NULL) {
            errno = ENOSYS;
            return EOF;
        }
    }
    return libc_fclose(stream);
}

static void before_fork(void)
{
    if (log_stream != NULL) {
        flockfile(log_stream);
        fflush_unlocked(log_stream);
        locked_for_fork = 1;
    }
}

static void parent_after_fork(void)
{
    if (locked_for_fork) {
        locked_for_fork = 0;
        funlockfile(log_stream);
    }
}

static void child_after_fork(void)
{
    int fd;

    if (!locked_for_fork)
        return;
    locked_for_fork = 0;
    fd = claim_log();
    if (fd < 0 || dup3(fd, fileno(log_stream), O_CLOEXEC) < 0) {
        /* No log of its own: the child's records go nowhere rather than into the parent's. */
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (null >= 0) {
            dup3(null, fileno(log_stream), O_CLOEXEC);
            close(null);
        }
    }
    if (fd >= 0)
        close(fd);
    funlockfile(log_stream);
}

__attribute__((constructor)) static void workloads_mtrace_shim_init(void)
{
    int saved = errno;
    const char *dir = getenv("WORKLOADS_MTRACE_DIR");

    if (dir != NULL && *dir != '\0' && strlen(dir) < sizeof log_dir) {
        strcpy(log_dir, dir);
        start_tracing();
        if (log_stream != NULL)
            pthread_atfork(before_fork, parent_after_fork, child_after_fork);
    }
    errno = saved;
}
