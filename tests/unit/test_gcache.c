/*
 * test_gcache.c - the granule cache (storage/gcache.h): reads through it
 * equal plain reads, hits and misses are counted, the byte budget holds
 * with least recently used images evicted, an image in use survives its
 * eviction, budget 0 turns it off, and a corrupt block is still EIO
 * naming the file when the granule is first cached.
 */
#include "t_storage.h"

#include "../../engine/storage/block.h"
#include "../../engine/storage/gcache.h"

/* Every granule of every column of p read through the cache equals the
 * plain read; returns the number of granules. */
static unsigned check_all(struct rs_part *p, const struct rs_schema *sc)
{
	unsigned n = 0;

	for (unsigned c = 0; c < sc->ncols; c++)
		for (unsigned g = 0; g < rs_part_ngranules(p); g++, n++) {
			struct rs_col a, b;
			struct rs_err err = { 0 };

			rs_col_init(&a, sc->cols[c].type);
			rs_col_init(&b, sc->cols[c].type);
			T_EQ_INT(rs_part_read(p, c, g, &a, &err), 0);
			T_EQ_INT(rs_part_read_cached(p, c, g, &b, &err), 0);
			T_EQ_INT(a.n, b.n);
			T_EQ_INT(first_diff(&a, 0, &b, a.n), -1);
			rs_col_release(&a);
			rs_col_release(&b);
		}
	return n;
}

static void test_gcache_reads(void)
{
	struct rs_err err = { 0 };
	struct rs_part *p = NULL;
	uint64_t bytes, count, hits, misses;
	char dir[128];
	unsigned n;

	rs_gcache_set_budget(RS_GCACHE_DEFAULT);
	rs_gcache_clear();
	path_of(dir, sizeof(dir), "reads");
	T_EQ_INT(write_part(dir, &schema, cols, NROWS, NULL, &err), 0);
	T_EQ_INT(rs_part_open(dir, &p, &err), 0);
	rs_gcache_stats(&bytes, &count, &hits, &misses);
	T_EQ_U64(bytes, 0);
	n = check_all(p, &schema);		/* first pass: every granule missed */
	rs_gcache_stats(&bytes, &count, &hits, &misses);
	T_EQ_U64(count, n);
	T_EQ_U64(hits, 0);
	T_EQ_U64(misses, n);
	T_OK(bytes > 0);
	check_all(p, &schema);			/* second pass: every granule hit */
	rs_gcache_stats(&bytes, &count, &hits, &misses);
	T_EQ_U64(hits, n);
	T_EQ_U64(misses, n);
	/* a small budget: the cache never holds more than it */
	rs_gcache_set_budget(bytes / 4);
	rs_gcache_stats(&bytes, &count, &hits, &misses);
	T_OK(bytes <= rs_gcache_budget());
	check_all(p, &schema);
	rs_gcache_stats(&bytes, &count, &hits, &misses);
	T_OK(bytes <= rs_gcache_budget() && count > 0 && count < n);
	/* budget 0: empty, and reads still right */
	rs_gcache_set_budget(0);
	rs_gcache_stats(&bytes, &count, &hits, &misses);
	T_EQ_U64(bytes, 0);
	T_EQ_U64(count, 0);
	check_all(p, &schema);
	rs_gcache_stats(&bytes, &count, &hits, &misses);
	T_EQ_U64(count, 0);
	rs_gcache_set_budget(RS_GCACHE_DEFAULT);
	rs_part_unref(p);
}

/* An image handed out stays valid when it is evicted meanwhile. */
static void test_gcache_in_use(void)
{
	const struct rs_gimg *a, *b;
	uint8_t *p1 = malloc(100 + RS_BLOCK_PAD), *p2 = malloc(100 + RS_BLOCK_PAD);
	uint64_t s = rs_part_serial_next();

	rs_gcache_set_budget(150);
	memset(p1, 'a', 100 + RS_BLOCK_PAD);
	memset(p2, 'b', 100 + RS_BLOCK_PAD);
	a = rs_gcache_put(s, 0, 0, p1, 100);
	T_OK(a && a->p == p1);
	b = rs_gcache_put(s, 0, 1, p2, 100);	/* evicts the first, in use */
	T_OK(b && b->p == p2);
	T_OK(rs_gcache_get(s, 0, 0) == NULL);
	T_EQ_INT(a->p[99], 'a');		/* still readable (ASan would see) */
	rs_gcache_unref(a);			/* freed now */
	T_OK(rs_gcache_get(s, 0, 1) == b);
	rs_gcache_unref(b);
	rs_gcache_unref(b);
	/* larger than the whole budget: not taken */
	p1 = malloc(200 + RS_BLOCK_PAD);
	T_OK(rs_gcache_put(s, 0, 2, p1, 200) == NULL);
	free(p1);
	rs_gcache_set_budget(RS_GCACHE_DEFAULT);
	rs_gcache_clear();
}

/* A corrupt block is EIO naming the file on the read that caches it,
 * and nothing is cached for it. */
static void test_gcache_corrupt(void)
{
	struct rs_err err = { 0 };
	struct rs_part *p = NULL;
	char dir[128], file[160];
	uint64_t bytes, count, hits, misses;

	rs_gcache_clear();
	path_of(dir, sizeof(dir), "corrupt");
	T_EQ_INT(write_part(dir, &sub, cols, NROWS, NULL, &err), 0);
	snprintf(file, sizeof(file), "%s/c0.bin", dir);
	flip_byte(file, file_size(file) / 2);
	T_EQ_INT(rs_part_open(dir, &p, &err), 0);
	if (!p)
		return;
	T_EQ_INT(eio_granules(p, 0, sub.cols[0].type, 1, "c0.bin"), 1);
	rs_gcache_stats(&bytes, &count, &hits, &misses);
	T_EQ_U64(count, rs_part_ngranules(p) - 1);
	rs_part_unref(p);
	rs_gcache_clear();
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rs_gcache_XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	build_all();
	T_RUN(test_gcache_reads);
	T_RUN(test_gcache_in_use);
	T_RUN(test_gcache_corrupt);
	free_all();
	rs_rm_rf(tmpdir);
	return T_DONE();
}
