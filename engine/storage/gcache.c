/*
 * gcache.c - the granule cache (gcache.h): a chained hash table of images
 * keyed by (part serial, column, granule) and a doubly linked LRU list,
 * both under one mutex.
 */
#include "gcache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "block.h"

struct ent {
	struct rs_gimg img;		/* first: the pointer handed out */
	uint64_t serial;
	unsigned col, g;
	int refs;			/* readers holding it */
	int dead;			/* evicted while in use: free at last unref */
	struct ent *hnext;		/* hash chain */
	struct ent *prev, *next;	/* LRU list, most recent at head */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct ent **tab;
static size_t tab_cap, count;
static struct ent *head, *tail;
static _Atomic uint64_t budget = RS_GCACHE_DEFAULT;	/* read without mu on every granule */
static uint64_t bytes, hits, misses;
static atomic_uint_least64_t serials;

uint64_t rs_part_serial_next(void)
{
	return atomic_fetch_add(&serials, 1) + 1;
}

static size_t slot_in(size_t cap, uint64_t serial, unsigned col, unsigned g)
{
	uint64_t h = serial * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)col << 32 | g) * 0xc2b2ae3d27d4eb4fULL;

	return (size_t)(h ^ h >> 29) & (cap - 1);
}

static size_t slot(uint64_t serial, unsigned col, unsigned g)
{
	return slot_in(tab_cap, serial, col, g);
}

static void lru_unlink(struct ent *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_push(struct ent *e)
{
	e->prev = NULL;
	e->next = head;
	if (head)
		head->prev = e;
	head = e;
	if (!tail)
		tail = e;
}

static void ent_free(struct ent *e)
{
	free((void *)e->img.p);
	free(e);
}

/* Take e out of the table and the list; freed now or at its last unref. */
static void evict(struct ent *e)
{
	struct ent **pp = &tab[slot(e->serial, e->col, e->g)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	lru_unlink(e);
	bytes -= e->img.len;
	count--;
	if (e->refs)
		e->dead = 1;
	else
		ent_free(e);
}

/* Evict from the cold end until 'need' more bytes fit the budget. */
static void make_room(uint64_t need)
{
	while (tail && bytes + need > budget)
		evict(tail);
}

static int grow_tab(void)
{
	size_t cap = tab_cap ? tab_cap * 2 : 1024;
	struct ent **t = calloc(cap, sizeof(*t));

	if (!t)
		return -1;
	for (size_t i = 0; i < tab_cap; i++)
		for (struct ent *e = tab[i], *nx; e; e = nx) {
			size_t s = slot_in(cap, e->serial, e->col, e->g);

			nx = e->hnext;
			e->hnext = t[s];
			t[s] = e;
		}
	free(tab);
	tab = t;
	tab_cap = cap;
	return 0;
}

static struct ent *find(uint64_t serial, unsigned col, unsigned g)
{
	if (!tab_cap)
		return NULL;
	for (struct ent *e = tab[slot(serial, col, g)]; e; e = e->hnext)
		if (e->serial == serial && e->col == col && e->g == g)
			return e;
	return NULL;
}

void rs_gcache_set_budget(uint64_t b)
{
	pthread_mutex_lock(&mu);
	budget = b;
	make_room(0);
	pthread_mutex_unlock(&mu);
}

uint64_t rs_gcache_budget(void)
{
	return budget;
}

const struct rs_gimg *rs_gcache_get(uint64_t serial, unsigned col, unsigned g)
{
	struct ent *e;

	pthread_mutex_lock(&mu);
	if ((e = find(serial, col, g))) {
		e->refs++;
		lru_unlink(e);
		lru_push(e);
		hits++;
	} else {
		misses++;
	}
	pthread_mutex_unlock(&mu);
	return e ? &e->img : NULL;
}

const struct rs_gimg *rs_gcache_put(uint64_t serial, unsigned col, unsigned g, uint8_t *p,
				     size_t len)
{
	struct ent *e;

	pthread_mutex_lock(&mu);
	if ((e = find(serial, col, g))) {	/* another reader was first */
		e->refs++;
		pthread_mutex_unlock(&mu);
		free(p);
		return &e->img;
	}
	if (len > budget || (count + 1 > tab_cap / 2 && grow_tab()) ||
	    !(e = calloc(1, sizeof(*e)))) {
		pthread_mutex_unlock(&mu);
		return NULL;
	}
	make_room(len);
	e->img.p = p;
	e->img.len = len;
	e->serial = serial;
	e->col = col;
	e->g = g;
	e->refs = 1;
	{
		size_t s = slot(serial, col, g);

		e->hnext = tab[s];
		tab[s] = e;
	}
	lru_push(e);
	bytes += len;
	count++;
	pthread_mutex_unlock(&mu);
	return &e->img;
}

void rs_gcache_unref(const struct rs_gimg *img)
{
	struct ent *e = (struct ent *)img;	/* img is the first member */

	if (!img)
		return;
	pthread_mutex_lock(&mu);
	if (--e->refs == 0 && e->dead)
		ent_free(e);
	pthread_mutex_unlock(&mu);
}

void rs_gcache_stats(uint64_t *b, uint64_t *n, uint64_t *h, uint64_t *m)
{
	pthread_mutex_lock(&mu);
	*b = bytes;
	*n = count;
	*h = hits;
	*m = misses;
	pthread_mutex_unlock(&mu);
}

void rs_gcache_clear(void)
{
	pthread_mutex_lock(&mu);
	while (tail)
		evict(tail);
	pthread_mutex_unlock(&mu);
}
