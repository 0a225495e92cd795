/*
 * test_storage_errors.c - parts: a corrupted or truncated column file or
 * meta is EIO naming the file, writer misuse is EINVAL/EEXIST, an aborted
 * writer leaves nothing behind.
 */
#include "t_storage.h"

static void test_corrupt_column(void)
{
	struct rs_err err = { 0 };
	struct rs_part *p = NULL;
	char dir[128], file[160];

	path_of(dir, sizeof(dir), "bad_col");
	T_EQ_INT(write_part(dir, &sub, cols, NROWS, NULL, &err), 0);
	snprintf(file, sizeof(file), "%s/c0.bin", dir);
	flip_byte(file, file_size(file) / 2);
	T_EQ_INT(rs_part_open(dir, &p, &err), 0);
	if (!p)
		return;
	T_EQ_INT(eio_granules(p, 0, schema.cols[0].type, 0, "c0.bin"), 1);
	rs_part_unref(p);
	/* a truncated column file is caught when opening */
	snprintf(file, sizeof(file), "%s/c3.bin", dir);
	T_EQ_INT(truncate(file, file_size(file) - 10), 0);
	rs_err_clear(&err);
	T_EQ_INT(rs_part_open(dir, &p, &err), -EIO);
	T_CONTAINS(err.msg, "c3.bin");
}

static void test_corrupt_meta(void)
{
	struct rs_err err = { 0 };
	struct rs_part *p = NULL;
	char dir[128], file[160];
	long n;

	path_of(dir, sizeof(dir), "bad_meta");
	T_EQ_INT(write_part(dir, &sub, cols, 100, NULL, &err), 0);
	snprintf(file, sizeof(file), "%s/meta", dir);
	n = file_size(file);
	flip_byte(file, n / 2);
	T_EQ_INT(rs_part_open(dir, &p, &err), -EIO);
	T_CONTAINS(err.msg, "meta");
	T_CONTAINS(err.msg, "checksum");
	flip_byte(file, n / 2);
	rs_err_clear(&err);
	T_EQ_INT(rs_part_open(dir, &p, &err), 0);
	rs_part_unref(p);
	T_EQ_INT(truncate(file, n - 7), 0);
	rs_err_clear(&err);
	T_EQ_INT(rs_part_open(dir, &p, &err), -EIO);
	T_CONTAINS(err.msg, "meta");
	T_EQ_INT(truncate(file, 3), 0);
	rs_err_clear(&err);
	T_EQ_INT(rs_part_open(dir, &p, &err), -EIO);
	unlink(file);
	rs_err_clear(&err);
	T_EQ_INT(rs_part_open(dir, &p, &err), -ENOENT);
}

static void test_writer_errors(void)
{
	struct rs_err err = { 0 };
	struct rs_part_writer *w = NULL;
	struct rs_part *p = NULL;
	char dir[128];

	path_of(dir, sizeof(dir), "rt");
	T_EQ_INT(write_part(dir, &sub, cols, 10, NULL, &err), 0);
	T_EQ_INT(rs_part_writer_open(dir, &schema, &w, &err), -EEXIST);
	T_CONTAINS(err.msg, "already exists");
	path_of(dir, sizeof(dir), "nested/deeper/empty");
	rs_err_clear(&err);
	T_EQ_INT(rs_part_writer_open(dir, &sub, &w, &err), 0);
	T_EQ_INT(rs_part_writer_add(w, cols + 1, 0, 10, &err), -EINVAL);
	T_EQ_INT(rs_part_writer_add(w, cols, 0, NROWS + 1, &err), -EINVAL);
	T_EQ_U64(rs_part_writer_rows(w), 0);
	T_EQ_INT(rs_part_writer_finish(w, &err), 0);
	T_EQ_INT(rs_part_open(dir, &p, &err), 0);
	if (p) {
		T_EQ_U64(rs_part_rows(p), 0);
		T_EQ_INT(rs_part_ngranules(p), 0);
		rs_part_unref(p);
	}
	path_of(dir, sizeof(dir), "aborted");
	T_EQ_INT(rs_part_writer_open(dir, &sub, &w, &err), 0);
	T_EQ_INT(rs_part_writer_add(w, cols, 0, 9000, &err), 0);
	rs_part_writer_abort(w);
	T_OK(!exists(dir));
	rs_part_writer_abort(NULL);
}


int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rs_storage_XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	build_all();
	T_RUN(test_corrupt_column);
	T_RUN(test_corrupt_meta);
	T_RUN(test_writer_errors);
	free_all();
	rs_rm_rf(tmpdir);
	return T_DONE();
}
