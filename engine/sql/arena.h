/*
 * arena.h - a per-query bump allocator for AST and plan nodes.
 *
 * Everything allocated from an arena is freed at once by rs_arena_release.
 * Node-sized allocations abort on out-of-memory (as x*alloc do); the arena is
 * not for data-sized buffers (those are checked and return -ENOMEM).
 */
#ifndef RS_SQL_ARENA_H
#define RS_SQL_ARENA_H

#include <stddef.h>

struct rs_arena_blk;

struct rs_arena {
	struct rs_arena_blk *head;
	size_t used, cap;	/* in the head block */
};

#define RS_ARENA_INIT { NULL, 0, 0 }

void *rs_arena_alloc(struct rs_arena *a, size_t n);	/* zeroed, 16-byte aligned */
char *rs_arena_strndup(struct rs_arena *a, const char *s, size_t n);
char *rs_arena_strdup(struct rs_arena *a, const char *s);
/*
 * Append one element to a growing array *vec of *n elements of size sz
 * (capacity doubles at powers of two; old storage is left in the arena).
 * Returns a pointer to the new (zeroed) slot.
 */
void *rs_arena_push(struct rs_arena *a, void *vec, unsigned *n, size_t sz);
void rs_arena_release(struct rs_arena *a);

#endif
