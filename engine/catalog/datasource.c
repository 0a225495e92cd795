/*
 * datasource.c - data sources of a workspace: load, create/alter, delete,
 * rename, truncate. Layout and crash rules: ds_int.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/util.h"
#include "ds_int.h"
#include "opslog.h"

static struct rs_ds *ds_new(struct rs_ws *w, const char *id, const char *name)
{
	struct rs_ds *d = xcalloc(1, sizeof(*d));
	char path[PATH_MAX];

	d->refs = 1;
	d->id = xstrdup(id);
	d->name = xstrdup(name);
	d->ws = w;
	snprintf(path, sizeof(path), "%s/ds/%s", w->dir, id);
	d->dir = xstrdup(path);
	pthread_mutex_init(&d->lock, NULL);
	pthread_mutex_init(&d->commit_lock, NULL);
	pthread_mutex_init(&d->merge_lock, NULL);
	return d;
}

static void ds_free(struct rs_ds *d)
{
	rs_dsv_unref(d->cur);
	rs_table_close(d->data);
	rs_table_close(d->quarantine);
	pthread_mutex_destroy(&d->lock);
	pthread_mutex_destroy(&d->commit_lock);
	pthread_mutex_destroy(&d->merge_lock);
	free(d->id);
	free(d->name);
	free(d->dir);
	free(d);
}

void rs_ds_unref(struct rs_catalog *c, struct rs_ds *d)
{
	if (d && __atomic_sub_fetch(&d->refs, 1, __ATOMIC_SEQ_CST) == 0)
		ds_free(d);
}

static int open_tables(struct rs_ds *d, int create, struct rs_err *err)
{
	char path[PATH_MAX];
	int rc;

	snprintf(path, sizeof(path), "%s/data", d->dir);
	if ((rc = rs_table_open(path, &d->data, err)))
		return rc;
	snprintf(path, sizeof(path), "%s/quarantine", d->dir);
	if (!create && access(path, F_OK) == 0)
		return rs_table_open(path, &d->quarantine, err);
	return 0;
}

static int load_one(struct rs_catalog *c, struct rs_ws *w, const char *id,
		    struct rs_err *err)
{
	char path[PATH_MAX], *name = NULL, *text = NULL;
	size_t len;
	struct rs_ds *d;
	struct rs_dsv *v = NULL;
	int rc;

	snprintf(path, sizeof(path), "%s/ds/%s/name", w->dir, id);
	if (rs_read_file(path, &name, NULL) != 0) {
		snprintf(path, sizeof(path), "%s/ds/%s", w->dir, id);
		return rs_rm_rf(path);	/* unfinished create or delete */
	}
	name[strcspn(name, "\n")] = 0;
	snprintf(path, sizeof(path), "%s/ds/%s/definition", w->dir, id);
	if ((rc = rs_read_file(path, &text, &len))) {
		free(name);
		return rs_errf(err, -EIO, "cannot read '%s': %s", path, strerror(-rc));
	}
	rc = rs_dsv_build(text, len, NULL, &v, err);
	free(text);
	if (rc) {
		rc = rs_errf(err, -EIO, "stored definition of '%s' is invalid", name);
		free(name);
		return rc;
	}
	d = ds_new(w, id, name);
	free(name);
	d->cur = v;
	if ((rc = open_tables(d, 0, err))) {
		ds_free(d);
		return rc;
	}
	w->ds = xrealloc(w->ds, (w->nds + 1) * sizeof(*w->ds));
	w->ds[w->nds++] = d;
	return 0;
}

int rs_ds_load_all(struct rs_catalog *c, struct rs_ws *w, struct rs_err *err)
{
	char path[PATH_MAX];
	struct dirent **list;
	int k, rc = 0;

	snprintf(path, sizeof(path), "%s/ds", w->dir);
	k = scandir(path, &list, NULL, alphasort);
	if (k < 0)
		return errno == ENOENT ? 0 : rs_errf(err, -errno, "cannot list '%s'", path);
	for (int i = 0; i < k; i++) {
		if (!rc && list[i]->d_name[0] != '.')
			rc = load_one(c, w, list[i]->d_name, err);
		free(list[i]);
	}
	free(list);
	return rc;
}

static struct rs_ds *find_ds(struct rs_ws *w, const char *name)
{
	for (unsigned i = 0; i < w->nds; i++)
		if (!strcmp(w->ds[i]->name, name))
			return w->ds[i];
	return NULL;
}

struct rs_ds *rs_ds_get(struct rs_catalog *c, struct rs_ws *w, const char *name)
{
	struct rs_ds *d;

	pthread_rwlock_rdlock(&c->lock);
	d = w->deleted ? NULL : find_ds(w, name);
	if (d)
		__atomic_add_fetch(&d->refs, 1, __ATOMIC_SEQ_CST);
	pthread_rwlock_unlock(&c->lock);
	return d;
}

int rs_ds_list(struct rs_catalog *c, struct rs_ws *w, char ***names, unsigned *n)
{
	pthread_rwlock_rdlock(&c->lock);
	*names = xcalloc(w->nds + 1, sizeof(char *));
	for (unsigned i = 0; i < w->nds; i++)
		(*names)[i] = xstrdup(w->ds[i]->name);
	*n = w->nds;
	pthread_rwlock_unlock(&c->lock);
	return 0;
}

struct rs_dsv *rs_ds_version(struct rs_ds *d)
{
	struct rs_dsv *v;

	pthread_mutex_lock(&d->lock);
	v = d->cur;
	__atomic_add_fetch(&v->refs, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&d->lock);
	return v;
}

int rs_ds_has_quarantine(struct rs_ds *d)
{
	int has;

	pthread_mutex_lock(&d->lock);
	has = d->quarantine != NULL;
	pthread_mutex_unlock(&d->lock);
	return has;
}

int rs_ds_quarantine_table(struct rs_ds *d, struct rs_table **out, struct rs_err *err)
{
	char path[PATH_MAX];
	int rc = 0;

	pthread_mutex_lock(&d->lock);
	if (!d->quarantine) {
		snprintf(path, sizeof(path), "%s/quarantine", d->dir);
		rc = rs_table_open(path, &d->quarantine, err);
	}
	*out = d->quarantine;
	pthread_mutex_unlock(&d->lock);
	return rc;
}

static void new_id(char out[20])
{
	unsigned char r[8];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	uint64_t x = rs_now_ns() ^ ((uint64_t)getpid() << 32);

	if (fd < 0 || read(fd, r, sizeof(r)) != (ssize_t)sizeof(r))
		memcpy(r, &x, sizeof(r));
	if (fd >= 0)
		close(fd);
	snprintf(out, 20, "t_%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3],
		 r[4], r[5], r[6], r[7]);
}

static void log_op(struct rs_ws *w, const char *event, struct rs_ds *d, const char *name,
		   int rc, const struct rs_err *err, uint64_t t0, const char *user)
{
	struct rs_opslog_entry e = {
		.event_type = event,
		.ds_id = d ? d->id : "",
		.ds_name = name,
		.ok = rc == 0,
		.elapsed = (double)(rs_now_ns() - t0) / 1e9,
		.error = rc ? (err && err->msg[0] ? err->msg : strerror(-rc)) : NULL,
		.rows = -1,
		.rows_quarantine = -1,
		.user = user ? user : "",
	};
	rs_opslog_append(w, &e);
}

/* Is 'nv' a change existing rows can follow? */
static int check_alter(const struct rs_dsv *old, const struct rs_dsv *nv, struct rs_err *err)
{
	for (unsigned i = 0; i < nv->schema.ncols; i++) {
		int j = rs_schema_find(&old->schema, nv->schema.cols[i].name);
		struct rs_buf a = RS_BUF_INIT, b = RS_BUF_INIT;
		int rc = 0;

		if (j < 0 || rs_type_equal(old->schema.cols[j].type, nv->schema.cols[i].type))
			continue;
		rs_type_name(old->schema.cols[j].type, &a);
		rs_type_name(nv->schema.cols[i].type, &b);
		if (nv->def.forward_query)
			rc = rs_errf(err, -EINVAL,
				     "column '%s': changing type from %s to %s through FORWARD_QUERY is not supported yet",
				     nv->schema.cols[i].name, a.data, b.data);
		else
			rc = rs_errf(err, -EINVAL,
				     "column '%s': cannot change type from %s to %s without FORWARD_QUERY",
				     nv->schema.cols[i].name, a.data, b.data);
		rs_buf_release(&a);
		rs_buf_release(&b);
		return rc;
	}
	return 0;
}

static int same_text(const char *a, const char *b)
{
	if (!a || !b)
		return !a && !b;
	return !strcmp(a, b);
}

int rs_ds_apply(struct rs_catalog *c, struct rs_ws *w, const char *name,
		const char *text, size_t len, const char *user, int *created,
		struct rs_err *err)
{
	return rs_ds_apply_ex(c, w, name, text, len, user, 0, created, err);
}

int rs_ds_apply_ex(struct rs_catalog *c, struct rs_ws *w, const char *name,
		   const char *text, size_t len, const char *user, unsigned flags, int *created,
		   struct rs_err *err)
{
	char path[PATH_MAX], id[20];
	struct rs_dsv *v = NULL;
	struct rs_ds *d;
	uint64_t t0 = rs_now_ns();
	int rc;

	if (created)
		*created = 0;
	if (!rs_name_valid_table(name))
		return rs_errf(err, -EINVAL, "invalid data source name '%s'", name);
	if ((rc = rs_dsv_build(text, len, &w->limits, &v, err)))
		goto fail_log;
	pthread_rwlock_wrlock(&c->lock);
	if (w->deleted) {
		pthread_rwlock_unlock(&c->lock);
		rs_dsv_unref(v);
		return rs_errf(err, -ENOENT, "workspace '%s' was deleted", w->name);
	}
	d = find_ds(w, name);
	if (d) {
		struct rs_dsv *old = d->cur;
		struct rs_snapshot *s;
		int has_rows;

		if (!(flags & RS_APPLY_RETYPE) && (rc = check_alter(old, v, err)))
			goto unlock_fail;
		s = rs_table_snapshot(d->data);
		/* a migration replaces every row right after: keys may change */
		has_rows = s->rows > 0 && !(flags & RS_APPLY_RETYPE);
		rs_snapshot_unref(s);
		if (has_rows && (!same_text(old->def.sorting_key, v->def.sorting_key) ||
				 !same_text(old->def.partition_key, v->def.partition_key) ||
				 old->def.engine != v->def.engine)) {
			rc = rs_errf(err, -EINVAL,
				     "changing ENGINE, ENGINE_SORTING_KEY or ENGINE_PARTITION_KEY of a data source with rows is not supported");
			goto unlock_fail;
		}
		snprintf(path, sizeof(path), "%s/definition", d->dir);
		if ((rc = rs_write_file_atomic(path, text, len))) {
			rs_errf(err, rc, "cannot store definition: %s", strerror(-rc));
			goto unlock_fail;
		}
		pthread_mutex_lock(&d->lock);
		d->cur = v;
		pthread_mutex_unlock(&d->lock);
		rs_dsv_unref(old);
		pthread_rwlock_unlock(&c->lock);
		if (!(flags & RS_APPLY_QUIET))
			log_op(w, "alter", d, name, 0, NULL, t0, user);
		return 0;
	}
	if (w->nds >= w->limits.max_datasources) {
		rc = rs_errf(err, -EDQUOT, "too many data sources: max_datasources is %u",
			     w->limits.max_datasources);
		goto unlock_fail;
	}
	new_id(id);
	d = ds_new(w, id, name);
	d->cur = v;
	v = NULL;
	rc = rs_mkdir_p(d->dir, 0755);
	if (!rc)
		rc = open_tables(d, 1, err);
	if (!rc) {
		snprintf(path, sizeof(path), "%s/definition", d->dir);
		rc = rs_write_file_atomic(path, text, len);
	}
	if (!rc) {
		snprintf(path, sizeof(path), "%s/name", d->dir);
		rc = rs_write_file_atomic(path, name, strlen(name));
	}
	if (rc) {
		rs_errf(err, rc, "cannot create data source '%s': %s", name, strerror(-rc));
		rs_rm_rf(d->dir);
		ds_free(d);
		pthread_rwlock_unlock(&c->lock);
		goto fail_log;
	}
	w->ds = xrealloc(w->ds, (w->nds + 1) * sizeof(*w->ds));
	w->ds[w->nds++] = d;
	pthread_rwlock_unlock(&c->lock);
	if (created)
		*created = 1;
	log_op(w, "create", d, name, 0, NULL, t0, user);
	return 0;

unlock_fail:
	pthread_rwlock_unlock(&c->lock);
	rs_dsv_unref(v);
	log_op(w, "alter", d, name, rc, err, t0, user);
	return rc;
fail_log:
	log_op(w, "create", NULL, name, rc, err, t0, user);
	return rc;
}

static void remove_from_ws(struct rs_ws *w, struct rs_ds *d)
{
	for (unsigned i = 0; i < w->nds; i++)
		if (w->ds[i] == d) {
			memmove(&w->ds[i], &w->ds[i + 1], (w->nds - i - 1) * sizeof(*w->ds));
			w->nds--;
			return;
		}
}

/* A share is a dependency (SPEC 3): deletes and renames wait for unsharing. */
static int check_shares(struct rs_ds *d, const char *what, struct rs_err *err)
{
	struct rs_buf list = RS_BUF_INIT;
	int rc = 0;

	if (d->cur->def.nshared) {
		for (unsigned i = 0; i < d->cur->def.nshared; i++)
			rs_buf_printf(&list, "%s'%s'", i ? ", " : "", d->cur->def.shared_with[i]);
		rc = rs_errf(err, -EBUSY,
			     "cannot %s data source '%s': it is shared with %s; remove them from SHARED_WITH first",
			     what, d->name, list.data);
	}
	rs_buf_release(&list);
	return rc;
}

int rs_ds_delete(struct rs_catalog *c, struct rs_ws *w, const char *name,
		 const char *user, struct rs_err *err)
{
	char path[PATH_MAX];
	uint64_t t0 = rs_now_ns();
	struct rs_ds *d;
	int rc;

	pthread_rwlock_wrlock(&c->lock);
	d = find_ds(w, name);
	if (!d) {
		pthread_rwlock_unlock(&c->lock);
		return rs_errf(err, -ENOENT, "no data source '%s'", name);
	}
	if ((rc = check_shares(d, "delete", err))) {
		pthread_rwlock_unlock(&c->lock);
		log_op(w, "delete", d, name, rc, err, t0, user);
		return rc;
	}
	snprintf(path, sizeof(path), "%s/name", d->dir);
	if (unlink(path) < 0) {
		rc = rs_errf(err, -errno, "cannot delete data source '%s': %s", name,
			     strerror(errno));
		pthread_rwlock_unlock(&c->lock);
		log_op(w, "delete", d, name, rc, err, t0, user);
		return rc;
	}
	rs_fsync_dir(d->dir);
	remove_from_ws(w, d);
	pthread_rwlock_unlock(&c->lock);
	/* a merge in progress finishes first, then nothing writes here */
	pthread_mutex_lock(&d->merge_lock);
	pthread_mutex_lock(&d->commit_lock);
	d->deleted = 1;
	pthread_mutex_unlock(&d->commit_lock);
	pthread_mutex_unlock(&d->merge_lock);
	/* the bytes go once nobody holds the data source: open parts keep
	 * their files readable, so removing now is safe on Linux */
	rs_rm_rf(d->dir);
	log_op(w, "delete", d, name, 0, NULL, t0, user);
	rs_ds_unref(c, d);
	return 0;
}

int rs_ds_rename(struct rs_catalog *c, struct rs_ws *w, const char *from,
		 const char *to, const char *user, struct rs_err *err)
{
	char path[PATH_MAX];
	uint64_t t0 = rs_now_ns();
	struct rs_ds *d;
	char *old;
	int rc;

	if (!rs_name_valid_table(to))
		return rs_errf(err, -EINVAL, "invalid data source name '%s'", to);
	pthread_rwlock_wrlock(&c->lock);
	d = find_ds(w, from);
	if (!d) {
		pthread_rwlock_unlock(&c->lock);
		return rs_errf(err, -ENOENT, "no data source '%s'", from);
	}
	if (find_ds(w, to)) {
		pthread_rwlock_unlock(&c->lock);
		return rs_errf(err, -EEXIST, "data source '%s' already exists", to);
	}
	if ((rc = check_shares(d, "rename", err))) {
		pthread_rwlock_unlock(&c->lock);
		log_op(w, "rename", d, from, rc, err, t0, user);
		return rc;
	}
	snprintf(path, sizeof(path), "%s/name", d->dir);
	if ((rc = rs_write_file_atomic(path, to, strlen(to)))) {
		pthread_rwlock_unlock(&c->lock);
		rs_errf(err, rc, "cannot rename data source '%s': %s", from, strerror(-rc));
		log_op(w, "rename", d, from, rc, err, t0, user);
		return rc;
	}
	old = d->name;
	d->name = xstrdup(to);
	pthread_rwlock_unlock(&c->lock);
	log_op(w, "rename", d, to, 0, NULL, t0, user);
	free(old);
	return 0;
}

int rs_ds_truncate(struct rs_catalog *c, struct rs_ds *d, int quarantine,
		   const char *user, struct rs_err *err)
{
	uint64_t t0 = rs_now_ns();
	struct rs_table *t;
	int rc;

	pthread_mutex_lock(&d->commit_lock);
	if (d->deleted) {
		pthread_mutex_unlock(&d->commit_lock);
		return rs_errf(err, -ENOENT, "data source '%s' was deleted", d->name);
	}
	pthread_mutex_lock(&d->lock);
	t = quarantine ? d->quarantine : d->data;
	pthread_mutex_unlock(&d->lock);
	rc = t ? rs_table_commit(t, NULL, 0, 1, err) : 0;
	pthread_mutex_unlock(&d->commit_lock);
	log_op(d->ws, "truncate", d, quarantine ? "" : d->name, rc, err, t0, user);
	return rc;
}

int rs_ds_schema_changes_types(struct rs_ds *d, const char *text, size_t len)
{
	struct rs_ds_def def;
	struct rs_dsv *old;
	int changed = 0;

	if (rs_ds_parse(text, len, &def, NULL))
		return 0;
	old = rs_ds_version(d);
	for (unsigned i = 0; i < def.ncols && !changed; i++) {
		int j = rs_schema_find(&old->schema, def.cols[i].name);
		changed = j >= 0 && !rs_type_equal(old->schema.cols[j].type, def.cols[i].type);
	}
	rs_dsv_unref(old);
	rs_ds_def_release(&def);
	return changed;
}
