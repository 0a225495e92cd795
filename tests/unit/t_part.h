/*
 * t_part.h - helpers shared by the storage unit tests (test_storage*.c,
 * test_table.c): a scratch directory, type parsing, writing a part from
 * columns, reading a column back, flipping a byte of a file.
 */
#ifndef RS_TESTS_T_PART_H
#define RS_TESTS_T_PART_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../engine/base/err.h"
#include "../../engine/base/util.h"
#include "../../engine/storage/part.h"
#include "../../engine/types/column.h"
#include "../../engine/types/schema.h"
#include "../../engine/storage/table.h"
#include "../../engine/types/type.h"
#include "t.h"

#define T_UNUSED __attribute__((unused))

static char tmpdir[64];

T_UNUSED static struct rs_type *ty(const char *s)
{
	struct rs_type *t = NULL;
	struct rs_err err = { 0 };

	if (rs_type_parse(s, &t, &err)) {
		fprintf(stderr, "cannot parse '%s': %s\n", s, err.msg);
		exit(2);
	}
	return t;
}

T_UNUSED static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", tmpdir, name);
}

T_UNUSED static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? -1 : (long)st.st_size;
}

T_UNUSED static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

T_UNUSED static int write_part(const char *dir, const struct rs_schema *sc, const struct rs_col *cs,
		      size_t n, const size_t *chunks, struct rs_err *err)
{
	struct rs_part_writer *w;
	size_t at = 0;
	int rc = rs_part_writer_open(dir, sc, &w, err);

	if (rc)
		return rc;
	for (size_t k = 0; at < n; k++) {
		size_t take = chunks && chunks[k] ? chunks[k] : n - at;
		take = take < n - at ? take : n - at;
		if ((rc = rs_part_writer_add(w, cs, at, take, err))) {
			rs_part_writer_abort(w);
			return rc;
		}
		at += take;
	}
	return rs_part_writer_finish(w, err);
}

/* Read all granules of column c of p into out (initialised by the caller). */
T_UNUSED static int read_all(struct rs_part *p, unsigned c, struct rs_col *out, struct rs_err *err)
{
	int rc;

	for (unsigned g = 0; g < rs_part_ngranules(p); g++)
		if ((rc = rs_part_read(p, c, g, out, err)))
			return rc;
	return 0;
}

T_UNUSED static void flip_byte(const char *path, long off)
{
	int fd = open(path, O_RDWR);
	unsigned char b;

	if (pread(fd, &b, 1, off) == 1) {
		b ^= 0x5a;
		if (pwrite(fd, &b, 1, off) != 1)
			perror("pwrite");
	}
	close(fd);
}

#endif
