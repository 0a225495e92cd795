/*
 * arena.c - the bump allocator of one render (see tmpl_int.h).
 */
#include "tmpl_int.h"

#include <stdlib.h>
#include <string.h>

struct rs_tmpl_chunk {
	struct rs_tmpl_chunk *next;
	size_t size, used;
	max_align_t data[];
};

#define CHUNK_SIZE (64u << 10)

void *rs_tmpl_alloc(struct rs_tmpl_arena *a, size_t n)
{
	struct rs_tmpl_chunk *ch = a->head;
	size_t al = (n + 15) & ~(size_t)15;

	if (a->failed || al < n || al > RS_TMPL_MAX_ARENA ||
	    a->used + al > RS_TMPL_MAX_ARENA) {
		a->failed = 1;
		return NULL;
	}
	if (!ch || ch->size - ch->used < al) {
		size_t sz = al > CHUNK_SIZE / 4 ? al : CHUNK_SIZE;

		ch = malloc(sizeof(*ch) + sz);
		if (!ch) {
			a->failed = 1;
			return NULL;
		}
		ch->size = sz;
		ch->used = 0;
		if (sz == al && a->head) {
			/* a big block: keep filling the current chunk after it */
			ch->next = a->head->next;
			a->head->next = ch;
		} else {
			ch->next = a->head;
			a->head = ch;
		}
	}
	void *p = (char *)ch->data + ch->used;
	ch->used += al;
	a->used += al;
	memset(p, 0, n);
	return p;
}

char *rs_tmpl_strndup(struct rs_tmpl_arena *a, const char *s, size_t n)
{
	char *p;

	if (n + 1 == 0)
		return NULL;
	p = rs_tmpl_alloc(a, n + 1);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = 0;
	return p;
}

void rs_tmpl_arena_release(struct rs_tmpl_arena *a)
{
	struct rs_tmpl_chunk *ch = a->head, *next;

	for (; ch; ch = next) {
		next = ch->next;
		free(ch);
	}
	a->head = NULL;
	a->used = 0;
	a->failed = 0;
}
