/*
 * table.c - manifest, snapshots and commits of a stored table.
 *
 * MANIFEST (text, written with rs_write_file_atomic)
 *
 *   roost-manifest 1
 *   next <n>            next part number to hand out
 *   part p_<n>          one line per live part, in commit order
 *   crc <8 hex digits>  crc32c of every preceding byte
 *
 * Parts that leave the table are marked doomed: their directory goes when
 * the last snapshot holding them is released (rs_part_unref), so readers of
 * old snapshots keep reading. A crash in between leaves directories that
 * the manifest does not name; rs_table_open removes them.
 */
#include "table.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/util.h"
#include "part_int.h"

#define MANIFEST_HEAD "roost-manifest 1\n"

struct rs_table {
	char *dir;
	pthread_mutex_t lock;	/* guards cur, next_id and the manifest */
	struct rs_snapshot *cur;
	uint64_t next_id;
};

/* ---- snapshots ---- */

/* A snapshot of parts[0..n), taking over one reference of each. */
static struct rs_snapshot *snap_new(struct rs_part **parts, unsigned n)
{
	struct rs_snapshot *s = xcalloc(1, sizeof(*s));

	s->parts = xmalloc((n ? n : 1) * sizeof(*s->parts));
	if (n)
		memcpy(s->parts, parts, n * sizeof(*parts));
	s->nparts = n;
	for (unsigned i = 0; i < n; i++) {
		s->rows += rs_part_rows(parts[i]);
		s->bytes += rs_part_bytes(parts[i]);
	}
	s->refs = 1;
	return s;
}

void rs_snapshot_unref(struct rs_snapshot *s)
{
	if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (unsigned i = 0; i < s->nparts; i++)
		rs_part_unref(s->parts[i]);
	free(s->parts);
	free(s);
}

struct rs_snapshot *rs_table_snapshot(struct rs_table *t)
{
	struct rs_snapshot *s;

	pthread_mutex_lock(&t->lock);
	s = t->cur;
	__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&t->lock);
	return s;
}

/* ---- names ---- */

/* "p_<digits>"; *id gets the number. */
static int part_name(const char *s, uint64_t *id)
{
	uint64_t v = 0;

	if (strncmp(s, "p_", 2) || !s[2] || strlen(s) > 22)
		return 0;
	for (s += 2; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (id)
		*id = v;
	return 1;
}

/* The part name of path if it is <t->dir>/<part name>, else NULL. */
static const char *base_of(const struct rs_table *t, const char *path)
{
	size_t n = strlen(t->dir);

	if (strncmp(path, t->dir, n) || path[n] != '/' || !part_name(path + n + 1, NULL))
		return NULL;
	return path + n + 1;
}

/* ---- manifest ---- */

static int write_manifest(struct rs_table *t, struct rs_part **parts, unsigned n,
			  struct rs_err *err)
{
	struct rs_buf b = RS_BUF_INIT;
	char path[PATH_MAX];
	int rc = 0;

	snprintf(path, sizeof(path), "%s/manifest", t->dir);
	if (rs_buf_adds(&b, MANIFEST_HEAD) ||
	    rs_buf_printf(&b, "next %" PRIu64 "\n", t->next_id))
		rc = -ENOMEM;
	for (unsigned i = 0; i < n && !rc; i++) {
		const char *d = rs_part_dir(parts[i]), *slash = strrchr(d, '/');
		rc = rs_buf_printf(&b, "part %s\n", slash ? slash + 1 : d);
	}
	if (!rc)
		rc = rs_buf_printf(&b, "crc %08x\n", rs_block_crc32c(0, b.data, b.len));
	if (!rc)
		rc = rs_write_file_atomic(path, b.data, b.len);
	rs_buf_release(&b);
	if (rc)
		return rs_errf(err, rc, "cannot write '%s': %s", path, strerror(-rc));
	return 0;
}

static int manifest_bad(const char *path, unsigned line, const char *why, struct rs_err *err)
{
	return rs_errf(err, -EIO, "corrupt manifest '%s' at line %u: %s", path, line, why);
}

/* Parse the manifest into names[] (pointers into data, NUL-terminated in
 * place) and *next. A missing manifest is an empty table. */
static int read_manifest(const char *path, char **datap, char ***names, unsigned *nnames,
			 uint64_t *next, struct rs_err *err)
{
	char *data, *p, *end, **v = NULL;
	unsigned n = 0, line = 2, crc;
	size_t len, hl = strlen(MANIFEST_HEAD);
	int rc;

	*datap = NULL;
	*names = NULL;
	*nnames = 0;
	*next = 1;
	rc = rs_read_file(path, &data, &len);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rs_errf(err, rc, "cannot read '%s': %s", path, strerror(-rc));
	*datap = data;
	if (len < hl || memcmp(data, MANIFEST_HEAD, hl))
		return manifest_bad(path, 1, "bad header", err);
	/* the last line is the checksum of everything before it */
	if (data[len - 1] != '\n')
		return manifest_bad(path, 1, "truncated", err);
	data[len - 1] = 0;
	end = strrchr(data, '\n');
	if (!end++ || strncmp(end, "crc ", 4) || strlen(end) != 12 ||
	    sscanf(end + 4, "%8x", &crc) != 1 || crc != rs_block_crc32c(0, data, (size_t)(end - data)))
		return manifest_bad(path, 1, "checksum mismatch", err);
	for (p = data + hl; p < end; line++) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		uint64_t id;

		*nl = 0;
		if (!strncmp(p, "next ", 5)) {
			char *e;
			*next = strtoull(p + 5, &e, 10);
			if (*e || e == p + 5)
				return manifest_bad(path, line, "bad next", err);
		} else if (!strncmp(p, "part ", 5) && part_name(p + 5, &id)) {
			v = xrealloc(v, (n + 1) * sizeof(*v));
			*names = v;
			v[n++] = p + 5;
			*nnames = n;
		} else {
			return manifest_bad(path, line, "bad line", err);
		}
		p = nl + 1;
	}
	return 0;
}

/* Remove whatever the manifest does not name (unfinished commits, *.tmp). */
static int remove_orphans(struct rs_table *t, char **names, unsigned n, struct rs_err *err)
{
	DIR *d = opendir(t->dir);
	struct dirent *e;
	char path[PATH_MAX];
	int rc = 0;

	if (!d)
		return rs_errf(err, -errno, "cannot list '%s': %s", t->dir, strerror(errno));
	while ((e = readdir(d))) {
		uint64_t id;
		unsigned i;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, "manifest"))
			continue;
		if (part_name(e->d_name, &id) && id >= t->next_id)
			t->next_id = id + 1;
		for (i = 0; i < n; i++)
			if (!strcmp(names[i], e->d_name))
				break;
		if (i < n)
			continue;
		snprintf(path, sizeof(path), "%s/%s", t->dir, e->d_name);
		if ((rc = rs_rm_rf(path))) {
			rs_errf(err, rc, "cannot remove '%s': %s", path, strerror(-rc));
			break;
		}
	}
	closedir(d);
	return rc;
}

int rs_table_open(const char *dir, struct rs_table **out, struct rs_err *err)
{
	struct rs_table *t;
	struct rs_part **parts = NULL;
	char path[PATH_MAX], *data = NULL, **names = NULL;
	unsigned n = 0, opened = 0;
	int rc;

	*out = NULL;
	if (snprintf(path, sizeof(path), "%s/manifest", dir) >= (int)sizeof(path) - 32)
		return rs_errf(err, -ENAMETOOLONG, "table directory '%s' is too long", dir);
	if ((rc = rs_mkdir_p(dir, 0755)))
		return rs_errf(err, rc, "cannot create '%s': %s", dir, strerror(-rc));
	t = xcalloc(1, sizeof(*t));
	t->dir = xstrdup(dir);
	for (size_t l = strlen(t->dir); l > 1 && t->dir[l - 1] == '/'; l--)
		t->dir[l - 1] = 0;
	pthread_mutex_init(&t->lock, NULL);
	rc = read_manifest(path, &data, &names, &n, &t->next_id, err);
	if (!rc)
		rc = remove_orphans(t, names, n, err);
	if (!rc) {
		parts = xcalloc(n ? n : 1, sizeof(*parts));
		for (; opened < n && !rc; opened++) {
			snprintf(path, sizeof(path), "%s/%s", t->dir, names[opened]);
			rc = rs_part_open(path, &parts[opened], err);
			if (rc == -ENOENT)
				rc = rs_errf(err, -EIO, "part '%s' named in the manifest is missing",
					     path);
		}
	}
	if (!rc)
		t->cur = snap_new(parts, n);
	else
		for (unsigned i = 0; i < opened; i++)
			rs_part_unref(parts[i]);
	free(parts);
	free(names);
	free(data);
	if (rc) {
		pthread_mutex_destroy(&t->lock);
		free(t->dir);
		free(t);
		return rc;
	}
	*out = t;
	return 0;
}

void rs_table_close(struct rs_table *t)
{
	if (!t)
		return;
	rs_snapshot_unref(t->cur);
	pthread_mutex_destroy(&t->lock);
	free(t->dir);
	free(t);
}

const char *rs_table_dir(const struct rs_table *t)
{
	return t->dir;
}

void rs_table_new_part_dir(struct rs_table *t, char *out, size_t outsz)
{
	uint64_t id;

	pthread_mutex_lock(&t->lock);
	id = t->next_id++;
	pthread_mutex_unlock(&t->lock);
	snprintf(out, outsz, "%s/p_%" PRIu64, t->dir, id);
}

/* ---- commits ---- */

static int is_live(const struct rs_snapshot *s, const char *name)
{
	for (unsigned i = 0; i < s->nparts; i++) {
		const char *d = rs_part_dir(s->parts[i]), *slash = strrchr(d, '/');
		if (!strcmp(slash ? slash + 1 : d, name))
			return 1;
	}
	return 0;
}

/* Install parts[0..n) (references taken over) as the current snapshot;
 * returns the previous one, to release after unlocking (releasing may
 * remove part directories). */
static struct rs_snapshot *install(struct rs_table *t, struct rs_part **parts, unsigned n)
{
	struct rs_snapshot *old = t->cur;

	t->cur = snap_new(parts, n);
	return old;
}

int rs_table_commit(struct rs_table *t, char **dirs, unsigned n, int replace,
		    struct rs_err *err)
{
	struct rs_part **parts = xcalloc(n ? n : 1, sizeof(*parts)), **list = NULL;
	struct rs_snapshot *cur, *old = NULL;
	unsigned opened = 0, nl = 0;
	int rc = 0, live = 0;

	for (unsigned i = 0; i < n && !rc; i++) {
		if (!base_of(t, dirs[i]))
			rc = rs_errf(err, -EINVAL, "'%s' is not a part directory of table '%s'",
				     dirs[i], t->dir);
		for (unsigned j = 0; j < i && !rc; j++)
			if (!strcmp(dirs[i], dirs[j]))
				rc = rs_errf(err, -EINVAL, "part '%s' is committed twice", dirs[i]);
	}
	for (; opened < n && !rc; opened++)
		rc = rs_part_open(dirs[opened], &parts[opened], err);
	if (!rc) {
		pthread_mutex_lock(&t->lock);
		cur = t->cur;
		for (unsigned i = 0; i < n && !rc; i++)
			if (is_live(cur, base_of(t, dirs[i]))) {
				rc = rs_errf(err, -EINVAL, "part '%s' is already live", dirs[i]);
				live = 1;
			}
		if (!rc) {
			list = xmalloc((cur->nparts + n + 1) * sizeof(*list));
			if (!replace)
				for (unsigned i = 0; i < cur->nparts; i++)
					list[nl++] = cur->parts[i];
			memcpy(list + nl, parts, n * sizeof(*parts));
			nl += n;
			rc = write_manifest(t, list, nl, err);
		}
		if (!rc) {
			if (replace)
				for (unsigned i = 0; i < cur->nparts; i++)
					rs_part_doom(cur->parts[i]);
			else
				for (unsigned i = 0; i < cur->nparts; i++)
					rs_part_ref(cur->parts[i]);
			old = install(t, list, nl);
		}
		pthread_mutex_unlock(&t->lock);
		rs_snapshot_unref(old);
	}
	if (rc) {
		for (unsigned i = 0; i < opened; i++)
			rs_part_unref(parts[i]);
		for (unsigned i = 0; i < n && !live; i++)
			if (base_of(t, dirs[i]))
				rs_rm_rf(dirs[i]);
	}
	free(list);
	free(parts);
	return rc;
}

int rs_table_swap(struct rs_table *t, struct rs_part **old, unsigned nold, struct rs_part *nw,
		  struct rs_err *err)
{
	struct rs_snapshot *cur, *prev = NULL;
	struct rs_part **list;
	unsigned nl = 0, i, j;
	int rc, placed = 0;

	pthread_mutex_lock(&t->lock);
	cur = t->cur;
	for (i = 0; i < nold; i++) {
		for (j = 0; j < cur->nparts && cur->parts[j] != old[i]; j++)
			;
		if (j == cur->nparts) {
			pthread_mutex_unlock(&t->lock);
			return 0;
		}
	}
	list = xmalloc((cur->nparts + 1) * sizeof(*list));
	for (j = 0; j < cur->nparts; j++) {
		for (i = 0; i < nold && cur->parts[j] != old[i]; i++)
			;
		if (i == nold)
			list[nl++] = cur->parts[j];
		else if (nw && !placed++)	/* NULL: the old parts just go */
			list[nl++] = nw;
	}
	rc = write_manifest(t, list, nl, err);
	if (!rc) {
		for (j = 0; j < nl; j++)
			if (list[j] != nw)
				rs_part_ref(list[j]);
		for (i = 0; i < nold; i++)
			rs_part_doom(old[i]);
		prev = install(t, list, nl);
	}
	pthread_mutex_unlock(&t->lock);
	rs_snapshot_unref(prev);
	free(list);
	return rc ? rc : 1;
}
