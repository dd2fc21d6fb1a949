/* Fixed workload for the recorder: a small first-fit allocator over a static arena,
 * compiled with `gcc -O2 -c heap.c`. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ARENA (1u << 20)
#define ALIGN 8u

struct block {
    uint32_t size;
    uint32_t next;
};

static unsigned char arena[ARENA];
static uint32_t free_head, top = ALIGN;

static uint32_t align_up(uint32_t n, uint32_t a) { return (n + a - 1) & ~(a - 1); }

static struct block *at(uint32_t addr) { return (struct block *)(arena + addr); }

void *heap_malloc(size_t n)
{
    uint32_t need = align_up((uint32_t)n + sizeof(struct block), ALIGN);
    uint32_t prev = 0, cur = free_head;
    while (cur) {
        struct block *b = at(cur);
        if (b->size >= need) {
            if (prev)
                at(prev)->next = b->next;
            else
                free_head = b->next;
            return b + 1;
        }
        prev = cur;
        cur = b->next;
    }
    if (top + need > ARENA)
        return NULL;
    at(top)->size = need;
    top += need;
    return at(top - need) + 1;
}

void heap_free(void *p)
{
    struct block *b = (struct block *)p - 1;
    uint32_t addr = (uint32_t)((unsigned char *)b - arena);
    uint32_t prev = 0, cur = free_head;
    while (cur && cur < addr) {
        prev = cur;
        cur = at(cur)->next;
    }
    b->next = cur;
    if (prev)
        at(prev)->next = addr;
    else
        free_head = addr;
    if (cur && addr + b->size == cur) {
        b->size += at(cur)->size;
        b->next = at(cur)->next;
    }
    if (prev && prev + at(prev)->size == addr) {
        at(prev)->size += b->size;
        at(prev)->next = b->next;
    }
}

void *heap_realloc(void *p, size_t n)
{
    struct block *b = (struct block *)p - 1;
    void *q;
    if (b->size - sizeof *b >= n)
        return p;
    q = heap_malloc(n);
    if (q) {
        memcpy(q, p, b->size - sizeof *b);
        heap_free(p);
    }
    return q;
}

size_t heap_free_bytes(void)
{
    size_t total = ARENA - top;
    for (uint32_t cur = free_head; cur; cur = at(cur)->next)
        total += at(cur)->size;
    return total;
}
