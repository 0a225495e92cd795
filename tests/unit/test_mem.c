/*
 * test_mem.c - the malloc policy (engine/base/mem.c): freed memory stays in
 * the heap while queries run and goes back after the idle time.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "../../engine/base/mem.h"
#include "../../engine/base/util.h"
#include "t.h"

/* bytes the main heap holds from the system; 0 under ASan or valgrind,
 * whose allocators are not glibc's */
static size_t heap_bytes(void)
{
	return mallinfo2().arena;
}

static int glibc_malloc(void)
{
	void *volatile p = malloc(1);	/* volatile: a malloc+free pair is elided */
	int glibc = heap_bytes() != 0;

	free(p);
	return glibc;
}

static void test_mem__idle_tick_trims_once_after_the_last_query(void)
{
	uint64_t now;
	int rc;

	/* sanitizer allocators refuse mallopt; the idle accounting still runs */
	rc = rs_mem_retain(64ull << 20, 50);
	T_CHECK(rc == 0 || (rc == -EINVAL && !glibc_malloc()), "rc %d", rc);
	now = rs_now_ns() / 1000000;
	T_EQ_INT(rs_mem_tick(now + 1000), 0);	/* no query yet: nothing to give back */
	rs_mem_busy(1);
	rs_mem_busy(1);
	rs_mem_busy(-1);
	T_EQ_INT(rs_mem_tick(now + 1000), 0);	/* one query still open */
	rs_mem_busy(-1);
	now = rs_now_ns() / 1000000;
	T_EQ_INT(rs_mem_tick(now), 0);		/* idle, but not for 50 ms */
	T_EQ_INT(rs_mem_tick(now + 60), 1);
	T_EQ_INT(rs_mem_tick(now + 120), 0);	/* once per idle spell */
	rs_mem_busy(1);
	rs_mem_busy(-1);
	T_EQ_INT(rs_mem_tick(rs_now_ns() / 1000000 + 60), 1);
}

static void test_mem__a_freed_block_stays_until_the_trim(void)
{
	size_t before, held;
	char *p;

	if (!glibc_malloc())
		return;	/* ASan/valgrind allocator: nothing of glibc's to see */
	T_EQ_INT(rs_mem_retain(64ull << 20, 10), 0);
	before = heap_bytes();
	rs_mem_busy(1);
	p = malloc(32u << 20);	/* past glibc's default 128K mmap threshold */
	T_OK(p != NULL);
	memset(p, 1, 32u << 20);
	T_CHECK(heap_bytes() >= before + (32u << 20), "32M block not in the heap: %zu", heap_bytes());
	free(p);
	rs_mem_busy(-1);
	held = heap_bytes();
	T_CHECK(held >= before + (32u << 20), "freed block given back early: %zu", held);
	T_EQ_INT(rs_mem_tick(rs_now_ns() / 1000000 + 20), 1);
	T_CHECK(heap_bytes() < held - (16u << 20), "trim kept %zu of %zu", heap_bytes(), held);
}

int main(void)
{
	T_RUN(test_mem__idle_tick_trims_once_after_the_last_query);
	T_RUN(test_mem__a_freed_block_stays_until_the_trim);
	return T_DONE();
}
