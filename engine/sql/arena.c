/*
 * arena.c - bump allocator (see arena.h).
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"

struct rs_arena_blk {
	struct rs_arena_blk *next;
	size_t pad;
	_Alignas(16) unsigned char mem[];
};

void *rs_arena_alloc(struct rs_arena *a, size_t n)
{
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (!a->head || a->used + n > a->cap) {
		size_t cap = n > 16384 ? n : 16384;
		struct rs_arena_blk *b = xmalloc(sizeof(*b) + cap);

		b->next = a->head;
		a->head = b;
		a->used = 0;
		a->cap = cap;
	}
	p = a->head->mem + a->used;
	a->used += n;
	memset(p, 0, n);
	return p;
}

char *rs_arena_strndup(struct rs_arena *a, const char *s, size_t n)
{
	char *d = rs_arena_alloc(a, n + 1);

	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

char *rs_arena_strdup(struct rs_arena *a, const char *s)
{
	return rs_arena_strndup(a, s, strlen(s));
}

void *rs_arena_push(struct rs_arena *a, void *vec, unsigned *n, size_t sz)
{
	void **pv = vec;
	unsigned k = *n;

	if ((k & (k - 1)) == 0) {	/* 0, 1, 2, 4, ...: full */
		unsigned cap = k ? k * 2 : 1;
		void *nv = rs_arena_alloc(a, (size_t)cap * sz);

		if (k)
			memcpy(nv, *pv, (size_t)k * sz);
		*pv = nv;
	}
	(*n)++;
	return (char *)*pv + (size_t)k * sz;
}

void rs_arena_release(struct rs_arena *a)
{
	struct rs_arena_blk *b = a->head, *nx;

	for (; b; b = nx) {
		nx = b->next;
		free(b);
	}
	a->head = NULL;
	a->used = a->cap = 0;
}
