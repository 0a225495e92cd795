/*
 * mem.h - the daemon's malloc policy: keep memory that queries free for the
 * next query, give it back to the kernel once queries stop.
 *
 * Why: glibc hands a freed block over 128K (dynamic threshold, up to 32M)
 * back to the kernel at once and trims heap tops past 128K, so every query
 * page-faults its working set in again; a fault costs ~9 us on the 2-core
 * VM (perf stat: 22k faults, 0.2 s, of a 0.29 s GROUP BY over 489k keys).
 */
#ifndef RS_BASE_MEM_H
#define RS_BASE_MEM_H

#include <stdint.h>

/* Keep up to 'bytes' of freed memory (0: glibc's defaults, nothing kept);
 * after 'idle_ms' with no query open, one malloc_trim gives it all back.
 * Call before any thread starts (it makes all threads share one arena).
 * Returns 0, or -EINVAL if malloc refused. */
int rs_mem_retain(uint64_t bytes, uint64_t idle_ms);
/* A query opened (+1) or closed (-1). */
void rs_mem_busy(int delta);
/* Called about once a second: trims when idle long enough. Returns 1 when
 * it trimmed, else 0. */
int rs_mem_tick(uint64_t now_ms);

#endif
