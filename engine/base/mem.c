/*
 * mem.c - the malloc policy of mem.h. M_MMAP_THRESHOLD (fixed: glibc's
 * dynamic threshold is off) keeps large blocks in the heaps, where a freed
 * block is reused instead of unmapped; M_TRIM_THRESHOLD keeps heap tops.
 * malloc_trim(0) after an idle spell returns both, including free pages in
 * the middle of the heaps. M_ARENA_MAX 1: a thread's own arena lives in
 * 64M heaps that glibc unmaps once empty, and blocks past that size are
 * mapped alone, so only the main arena keeps what it is told to (measured:
 * 10k faults a 489k-group GROUP BY with per-thread arenas, none with one;
 * ingest, with the most threads allocating, as fast either way).
 */
#include "mem.h"

#include <errno.h>
#include <malloc.h>

#include "util.h"

static uint64_t retain_bytes, idle_after_ms;
static int busy;		/* open queries (atomic) */
static uint64_t last_ms;	/* a query closed (atomic); 0: trimmed since */

int rs_mem_retain(uint64_t bytes, uint64_t idle_ms)
{
	int v = bytes > (1u << 30) ? 1 << 30 : (int)bytes;

	retain_bytes = bytes;
	idle_after_ms = idle_ms;
	if (!bytes)
		return 0;
	if (!mallopt(M_ARENA_MAX, 1) || !mallopt(M_MMAP_THRESHOLD, v) ||
	    !mallopt(M_TRIM_THRESHOLD, v))
		return -EINVAL;
	return 0;
}

void rs_mem_busy(int delta)
{
	if (__atomic_add_fetch(&busy, delta, __ATOMIC_SEQ_CST) == 0 && delta < 0)
		__atomic_store_n(&last_ms, rs_now_ns() / 1000000 + 1, __ATOMIC_SEQ_CST);
}

int rs_mem_tick(uint64_t now_ms)
{
	uint64_t last = __atomic_load_n(&last_ms, __ATOMIC_SEQ_CST);

	if (!retain_bytes || !last || __atomic_load_n(&busy, __ATOMIC_SEQ_CST) ||
	    now_ms < last + idle_after_ms)
		return 0;
	/* a query closing meanwhile sets last_ms again: only clear ours */
	if (!__atomic_compare_exchange_n(&last_ms, &last, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return 0;
	malloc_trim(0);
	return 1;
}
