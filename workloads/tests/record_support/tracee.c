/*
 * The program the recorder tests trace. Every mode allocates blocks of sizes no start-up
 * code asks for (BASE, BASE + 1, ...), so a test finds this program's own requests in a
 * trace by their sizes.
 *
 *   tracee alloc N BASE            N blocks of BASE + i, then frees them; exit 0
 *   tracee threads T N BASE        T threads at once, thread t allocating N blocks of
 *                                  BASE + t * N + i, then freeing them; exit 0
 *   tracee kill N BASE             N blocks of BASE + i, then SIGKILL to itself
 *   tracee fork-exec N BASE        forks; the child allocates 5 blocks of 7777 and exec's
 *                                  `tracee alloc N BASE + N`; the parent allocates and frees
 *                                  N blocks of BASE + i, waits, exits with the child's code
 *   tracee untrace N BASE          N blocks of BASE + i, then muntrace(), fork() (the child
 *                                  exits), and N more blocks of BASE + N + i; exit 0
 */
#include <mcheck.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void *volatile sink;

static void alloc_free(long n, long base)
{
    void **blocks = malloc((size_t)n * sizeof *blocks);
    long i;

    if (blocks == NULL)
        exit(10);
    for (i = 0; i < n; i++) {
        blocks[i] = malloc((size_t)(base + i));
        if (blocks[i] == NULL)
            exit(11);
        memset(blocks[i], 1, 8);
    }
    for (i = 0; i < n; i++)
        free(blocks[i]);
    free(blocks);
}

struct job {
    long n, base;
    pthread_barrier_t *start;
};

static void *thread_main(void *arg)
{
    struct job *job = arg;

    pthread_barrier_wait(job->start);
    alloc_free(job->n, job->base);
    return NULL;
}

static int threads(long t, long n, long base)
{
    pthread_t ids[64];
    struct job jobs[64];
    pthread_barrier_t start;
    long i;

    if (t < 1 || t > 64)
        return 12;
    pthread_barrier_init(&start, NULL, (unsigned)t);
    for (i = 0; i < t; i++) {
        jobs[i].n = n;
        jobs[i].base = base + i * n;
        jobs[i].start = &start;
        if (pthread_create(&ids[i], NULL, thread_main, &jobs[i]) != 0)
            return 13;
    }
    for (i = 0; i < t; i++)
        pthread_join(ids[i], NULL);
    return 0;
}

static int fork_exec(const char *self, long n, long base)
{
    int status, i;
    pid_t pid = fork();

    if (pid < 0)
        return 14;
    if (pid == 0) {
        char count[32], next[32];
        for (i = 0; i < 5; i++)
            sink = malloc(7777);
        snprintf(count, sizeof count, "%ld", n);
        snprintf(next, sizeof next, "%ld", base + n);
        execl(self, "tracee", "alloc", count, next, (char *)NULL);
        _exit(15);
    }
    alloc_free(n, base);
    if (waitpid(pid, &status, 0) != pid)
        return 16;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 17;
}

static int untrace(long n, long base)
{
    int status;
    pid_t pid;

    alloc_free(n, base);
    muntrace();
    pid = fork();
    if (pid < 0)
        return 19;
    if (pid == 0)
        _exit(0);
    if (waitpid(pid, &status, 0) != pid)
        return 20;
    alloc_free(n, base + n);
    return 0;
}

int main(int argc, char **argv)
{
    long n, base, i;

    if (argc >= 4 && strcmp(argv[1], "alloc") == 0) {
        alloc_free(atol(argv[2]), atol(argv[3]));
        return 0;
    }
    if (argc >= 5 && strcmp(argv[1], "threads") == 0)
        return threads(atol(argv[2]), atol(argv[3]), atol(argv[4]));
    if (argc >= 4 && strcmp(argv[1], "kill") == 0) {
        n = atol(argv[2]);
        base = atol(argv[3]);
        for (i = 0; i < n; i++)
            sink = malloc((size_t)(base + i));
        raise(SIGKILL);
        return 18;
    }
    if (argc >= 4 && strcmp(argv[1], "fork-exec") == 0)
        return fork_exec("/proc/self/exe", atol(argv[2]), atol(argv[3]));
    if (argc >= 4 && strcmp(argv[1], "untrace") == 0)
        return untrace(atol(argv[2]), atol(argv[3]));
    fprintf(stderr, "usage: tracee alloc|threads|kill|fork-exec|untrace ...\n");
    return 2;
}
