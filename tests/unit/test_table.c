/*
 * test_table.c - stored tables: commits (add, replace, truncate), snapshot
 * isolation, orphan removal on reopen, manifest corruption, merges.
 */
#include "t_part.h"

static struct rs_schema kv;	/* k Int64, v String */

static void kv_cols(struct rs_col *c, int64_t first, int64_t step, size_t n)
{
	char s[32];

	rs_col_init(&c[0], kv.cols[0].type);
	rs_col_init(&c[1], kv.cols[1].type);
	for (size_t i = 0; i < n; i++) {
		int64_t k = first + (int64_t)i * step;
		rs_col_push_fixed(&c[0], &k);
		rs_col_push_str(&c[1], s, (size_t)snprintf(s, sizeof(s), "v%lld", (long long)k));
	}
}

static int kv_part(struct rs_table *t, char *dir, size_t dsz, int64_t first, int64_t step,
		   size_t n)
{
	struct rs_col c[2];
	struct rs_err err = { 0 };
	int rc;

	kv_cols(c, first, step, n);
	rs_table_new_part_dir(t, dir, dsz);
	rc = write_part(dir, &kv, c, n, NULL, &err);
	rs_col_release(&c[0]);
	rs_col_release(&c[1]);
	return rc;
}

/* Sum of k over all rows of a snapshot (reads every granule). */
static int64_t snap_sum(struct rs_snapshot *s, int *bad)
{
	int64_t sum = 0;

	for (unsigned i = 0; i < s->nparts; i++) {
		struct rs_col c;
		struct rs_err err = { 0 };
		rs_col_init(&c, kv.cols[0].type);
		if (read_all(s->parts[i], 0, &c, &err))
			(*bad)++;
		for (size_t r = 0; r < c.n; r++)
			sum += ((int64_t *)c.data)[r];
		rs_col_release(&c);
	}
	return sum;
}

static void test_table_commit(void)
{
	struct rs_err err = { 0 };
	struct rs_table *t = NULL;
	struct rs_snapshot *s1, *s2, *s3;
	char tdir[128], a[256], b[256], c[256], adir[256];
	char *dirs[2];
	int bad = 0;

	path_of(tdir, sizeof(tdir), "tbl");
	T_EQ_INT(rs_table_open(tdir, &t, &err), 0);
	if (!t)
		return;
	T_EQ_STR(rs_table_dir(t), tdir);
	s1 = rs_table_snapshot(t);
	T_EQ_INT(s1->nparts, 0);
	rs_snapshot_unref(s1);
	T_EQ_INT(kv_part(t, a, sizeof(a), 0, 1, 100), 0);	/* sum 4950 */
	T_EQ_INT(kv_part(t, b, sizeof(b), 100, 1, 10000), 0);	/* sum 50995000 */
	T_OK(strcmp(a, b) != 0);
	dirs[0] = a;
	T_EQ_INT(rs_table_commit(t, dirs, 1, 0, &err), 0);
	dirs[0] = b;
	T_EQ_INT(rs_table_commit(t, dirs, 1, 0, &err), 0);
	T_EQ_INT(rs_table_commit(t, dirs, 1, 0, &err), -EINVAL);	/* already live */
	T_CONTAINS(err.msg, "is already live");
	rs_err_clear(&err);
	T_OK(exists(b));
	s1 = rs_table_snapshot(t);
	T_EQ_INT(s1->nparts, 2);
	T_EQ_U64(s1->rows, 10100);
	T_OK(s1->bytes > 0);
	T_EQ_INT(snap_sum(s1, &bad), 4950 + 50995000);
	/* replace: s1 keeps reading a and b */
	T_EQ_INT(kv_part(t, c, sizeof(c), 1000000, 0, 3), 0);
	dirs[0] = c;
	T_EQ_INT(rs_table_commit(t, dirs, 1, 1, &err), 0);
	s2 = rs_table_snapshot(t);
	T_EQ_INT(s2->nparts, 1);
	T_EQ_U64(s2->rows, 3);
	T_EQ_INT(snap_sum(s2, &bad), 3000000);
	T_OK(exists(a));
	T_EQ_INT(snap_sum(s1, &bad), 4950 + 50995000);
	snprintf(adir, sizeof(adir), "%s", a);
	rs_snapshot_unref(s1);
	T_OK(!exists(adir));	/* removed with its last snapshot */
	T_OK(!exists(b));
	/* a bad commit removes its parts and changes nothing */
	T_EQ_INT(kv_part(t, a, sizeof(a), 1, 1, 10), 0);
	{
		char junk[300];
		snprintf(junk, sizeof(junk), "%s/meta", a);
		unlink(junk);
	}
	dirs[0] = a;
	T_EQ_INT(rs_table_commit(t, dirs, 1, 0, &err), -ENOENT);
	T_CONTAINS(err.msg, "has no meta");
	rs_err_clear(&err);
	T_OK(!exists(a));
	s3 = rs_table_snapshot(t);
	T_OK(s3 == s2);
	rs_snapshot_unref(s3);
	/* truncate */
	T_EQ_INT(rs_table_commit(t, NULL, 0, 1, &err), 0);
	s3 = rs_table_snapshot(t);
	T_EQ_INT(s3->nparts, 0);
	T_EQ_U64(s3->rows, 0);
	rs_snapshot_unref(s3);
	T_EQ_INT(snap_sum(s2, &bad), 3000000);
	rs_snapshot_unref(s2);
	T_OK(!exists(c));
	/* durable: reopen sees the committed state */
	T_EQ_INT(kv_part(t, a, sizeof(a), 5, 0, 2), 0);
	dirs[0] = a;
	T_EQ_INT(rs_table_commit(t, dirs, 1, 0, &err), 0);
	rs_table_close(t);
	T_EQ_INT(rs_table_open(tdir, &t, &err), 0);
	T_EQ_STR(err.msg, "");
	if (!t)
		return;
	s1 = rs_table_snapshot(t);
	T_EQ_INT(s1->nparts, 1);
	T_EQ_INT(snap_sum(s1, &bad), 10);
	rs_snapshot_unref(s1);
	rs_table_close(t);
	T_EQ_INT(bad, 0);
	T_EQ_STR(err.msg, "");
}

static void test_orphans(void)
{
	struct rs_err err = { 0 };
	struct rs_table *t = NULL;
	struct rs_snapshot *s;
	char tdir[128], a[256], b[256], junk[256], next[256];
	char *dirs[1];
	FILE *f;

	path_of(tdir, sizeof(tdir), "orph");
	T_EQ_INT(rs_table_open(tdir, &t, &err), 0);
	if (!t)
		return;
	T_EQ_INT(kv_part(t, a, sizeof(a), 0, 1, 50), 0);
	dirs[0] = a;
	T_EQ_INT(rs_table_commit(t, dirs, 1, 0, &err), 0);
	T_EQ_INT(kv_part(t, b, sizeof(b), 0, 1, 50), 0);	/* written, never committed */
	snprintf(junk, sizeof(junk), "%s/p_999", tdir);
	mkdir(junk, 0755);
	snprintf(junk, sizeof(junk), "%s/p_999/c0.bin", tdir);
	f = fopen(junk, "w");
	fputs("junk", f);
	fclose(f);
	snprintf(junk, sizeof(junk), "%s/manifest.tmp", tdir);
	f = fopen(junk, "w");
	fclose(f);
	rs_table_close(t);
	T_EQ_INT(rs_table_open(tdir, &t, &err), 0);
	if (!t)
		return;
	T_OK(exists(a));
	T_OK(!exists(b));
	T_OK(!exists(junk));
	snprintf(junk, sizeof(junk), "%s/p_999", tdir);
	T_OK(!exists(junk));
	s = rs_table_snapshot(t);
	T_EQ_INT(s->nparts, 1);
	rs_snapshot_unref(s);
	rs_table_new_part_dir(t, next, sizeof(next));
	snprintf(junk, sizeof(junk), "%s/p_1000", tdir);
	T_EQ_STR(next, junk);
	rs_table_close(t);
	/* a garbled manifest is -EIO */
	snprintf(junk, sizeof(junk), "%s/manifest", tdir);
	flip_byte(junk, 20);
	T_EQ_INT(rs_table_open(tdir, &t, &err), -EIO);
	T_CONTAINS(err.msg, "manifest");
}

static int kv_cmp(void *ctx, const struct rs_col *a, size_t ai, const struct rs_col *b,
		  size_t bi)
{
	int64_t x = ((const int64_t *)a[0].data)[ai], y = ((const int64_t *)b[0].data)[bi];

	(*(int *)ctx)++;
	return (x > y) - (x < y);
}

static void test_merge(void)
{
	struct rs_err err = { 0 };
	struct rs_table *t = NULL;
	struct rs_snapshot *s;
	char tdir[128], d[3][256], big_dir[256];
	char *dirs[3] = { d[0], d[1], d[2] };
	int calls = 0, ok = 1;

	path_of(tdir, sizeof(tdir), "merge");
	T_EQ_INT(rs_table_open(tdir, &t, &err), 0);
	if (!t)
		return;
	/* part i holds keys i, i+3, i+6, ... (plus a run of 5000 in part 2) */
	T_EQ_INT(kv_part(t, d[0], sizeof(d[0]), 0, 3, 6000), 0);
	T_EQ_INT(kv_part(t, d[1], sizeof(d[1]), 1, 3, 6000), 0);
	T_EQ_INT(kv_part(t, d[2], sizeof(d[2]), 2, 3, 9000), 0);
	T_EQ_INT(rs_table_commit(t, dirs, 3, 0, &err), 0);
	T_EQ_INT(kv_part(t, big_dir, sizeof(big_dir), 0, 1, 100), 0);
	dirs[0] = big_dir;
	T_EQ_INT(rs_table_commit(t, dirs, 1, 0, &err), 0);
	/* nothing is small and there are few parts */
	T_EQ_INT(rs_table_merge(t, &kv, kv_cmp, &calls, 10, 50, 8, &err), 0);
	/* merge the three smallest: the 100-row part and two 6000-row parts */
	T_EQ_INT(rs_table_merge(t, &kv, kv_cmp, &calls, 10, 7000, 3, &err), 1);
	T_EQ_STR(err.msg, "");
	s = rs_table_snapshot(t);
	T_EQ_INT(s->nparts, 2);
	T_EQ_U64(s->rows, 21100);
	T_OK(!exists(d[0]) && !exists(d[1]) && exists(d[2]));
	rs_snapshot_unref(s);
	/* then everything into one part */
	T_EQ_INT(rs_table_merge(t, &kv, kv_cmp, &calls, 1, 0, 8, &err), 1);
	s = rs_table_snapshot(t);
	T_EQ_INT(s->nparts, 1);
	if (s->nparts == 1) {
		struct rs_col k, v;
		int64_t prev = INT64_MIN;
		char buf[32];

		rs_col_init(&k, kv.cols[0].type);
		rs_col_init(&v, kv.cols[1].type);
		T_EQ_INT(read_all(s->parts[0], 0, &k, &err), 0);
		T_EQ_INT(read_all(s->parts[0], 1, &v, &err), 0);
		T_EQ_INT(k.n, 21100);
		T_EQ_INT(rs_part_ngranules(s->parts[0]), 3);
		for (size_t i = 0; i < k.n && i < v.n; i++) {
			int64_t x = ((int64_t *)k.data)[i];
			size_t len;
			const char *sv = rs_col_str(&v, i, &len);
			if (x < prev || len != (size_t)snprintf(buf, sizeof(buf), "v%lld",
								(long long)x) || memcmp(sv, buf, len))
				ok = 0;
			prev = x;
		}
		/* key 0..99 appear twice, the 100-row part first among equals */
		T_EQ_INT(((int64_t *)k.data)[0], 0);
		T_EQ_INT(((int64_t *)k.data)[1], 0);
		T_EQ_INT(((int64_t *)k.data)[21099], 26999);
		rs_col_release(&k);
		rs_col_release(&v);
	}
	T_OK(ok);
	T_OK(calls > 0);
	rs_snapshot_unref(s);
	T_EQ_INT(rs_table_merge(t, &kv, kv_cmp, &calls, 1, 0, 8, &err), 0);
	rs_table_close(t);
}

struct race {
	struct rs_table *t;
	int done;
};

/* Truncates the table on its first call, in the middle of the merge. */
static int race_cmp(void *ctx, const struct rs_col *a, size_t ai, const struct rs_col *b,
		    size_t bi)
{
	struct race *r = ctx;
	int dummy = 0;

	if (!r->done++)
		rs_table_commit(r->t, NULL, 0, 1, NULL);
	return kv_cmp(&dummy, a, ai, b, bi);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void test_merge_race(void)
{
	struct rs_err err = { 0 };
	struct race r = { NULL, 0 };
	struct rs_snapshot *s;
	char tdir[128], d[2][256];
	char *dirs[2] = { d[0], d[1] };

	path_of(tdir, sizeof(tdir), "race");
	T_EQ_INT(rs_table_open(tdir, &r.t, &err), 0);
	if (!r.t)
		return;
	T_EQ_INT(kv_part(r.t, d[0], sizeof(d[0]), 0, 2, 100), 0);
	T_EQ_INT(kv_part(r.t, d[1], sizeof(d[1]), 1, 2, 100), 0);
	T_EQ_INT(rs_table_commit(r.t, dirs, 2, 0, &err), 0);
	/* the inputs leave the table while merging: the result is dropped */
	T_EQ_INT(rs_table_merge(r.t, &kv, race_cmp, &r, 1, 0, 8, &err), 0);
	T_OK(r.done > 0);
	s = rs_table_snapshot(r.t);
	T_EQ_INT(s->nparts, 0);
	rs_snapshot_unref(s);
	T_EQ_INT(count_entries(tdir), 1);	/* only the manifest */
	rs_table_close(r.t);
	T_EQ_STR(err.msg, "");
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rs_table_XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	rs_schema_init(&kv);
	rs_schema_add(&kv, "k", ty("Int64"));
	rs_schema_add(&kv, "v", ty("String"));
	T_RUN(test_table_commit);
	T_RUN(test_orphans);
	T_RUN(test_merge);
	T_RUN(test_merge_race);
	rs_schema_release(&kv);
	rs_rm_rf(tmpdir);
	return T_DONE();
}
