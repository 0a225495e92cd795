/*
 * gcache.h - the granule cache: uncompressed images of column granules
 * that queries read, shared by every query of the process and bounded by a
 * byte budget (least recently used images go first).
 *
 * An image is the granule's blocks as stored, but with every payload
 * unpacked (codec NONE, checksums recomputed), so the readers of
 * part_read.c walk it with the same cursor as a granule read from disk,
 * without the pread and the lz4 step. Parts are immutable and each gets a
 * serial number that is never reused, so an image never goes stale: images
 * of parts that merges removed simply age out.
 *
 * Only query scans use it (rs_part_read_cached, rs_part_read_codes):
 * exports, merges and rewrites read around it, so they neither pollute it
 * nor grow the daemon for it. Thread-safe (one mutex); images are
 * reference counted, so eviction never frees one in use.
 */
#ifndef RS_STORAGE_GCACHE_H
#define RS_STORAGE_GCACHE_H

#include <stddef.h>
#include <stdint.h>

struct rs_gimg {
	const uint8_t *p;	/* the image; RS_BLOCK_PAD zero bytes follow p[len] */
	size_t len;
};

/* Budget in bytes (default RS_GCACHE_DEFAULT); 0 turns the cache off and
 * empties it. */
#define RS_GCACHE_DEFAULT (256ull << 20)
void rs_gcache_set_budget(uint64_t bytes);
uint64_t rs_gcache_budget(void);

/* A referenced image of granule g of column col of part 'serial', or NULL. */
const struct rs_gimg *rs_gcache_get(uint64_t serial, unsigned col, unsigned g);
/* Insert an image (p allocated with malloc, RS_BLOCK_PAD bytes after len;
 * the cache takes it). Returns a referenced image: this one, or the one
 * another thread inserted first (p is then freed). NULL when the cache is
 * off or the image alone exceeds the budget (p is then not taken). */
const struct rs_gimg *rs_gcache_put(uint64_t serial, unsigned col, unsigned g, uint8_t *p,
				     size_t len);
void rs_gcache_unref(const struct rs_gimg *img);

/* Counters for tests: bytes held, images held, hits, misses. */
void rs_gcache_stats(uint64_t *bytes, uint64_t *count, uint64_t *hits, uint64_t *misses);
/* Drop every image not in use (tests). */
void rs_gcache_clear(void);

/* A new part serial (never 0, never reused in the process). */
uint64_t rs_part_serial_next(void);

#endif
