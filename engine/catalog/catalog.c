/*
 * catalog.c - organizations and workspaces: the maps, their directories,
 * loading everything back at mount, and crash leftovers. Data sources are
 * in datasource.c.
 */
#include "catalog.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/err.h"
#include "../base/util.h"
#include "ds_int.h"
#include "opslog.h"

void rs_limits_default(struct rs_limits *l)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	l->query_timeout_ms = 10000;
	l->max_result = 100ull << 20;
	l->query_memory = 16ull << 30;
	l->max_ingest = 10ull << 30;
	l->max_storage = 0;
	l->max_datasources = 100;
	l->max_columns = 500;
	l->max_row = 10ull << 20;
	l->max_concurrent_queries = (unsigned)(cores > 0 ? 2 * cores : 2);
}

int rs_name_valid_org(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 64 || !isalpha((unsigned char)s[0]) || s[0] & 0x80)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_') || (s[i] & 0x80))
			return 0;
	return strcmp(s, "organization") != 0;
}

int rs_name_valid_table(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 200 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_') || (s[i] & 0x80))
			return 0;
	return 1;
}

static int64_t read_created(const char *path)
{
	char *text = NULL;
	long long v = 0;

	if (rs_read_file(path, &text, NULL) == 0) {
		if (sscanf(text, "created=%lld", &v) != 1)
			v = 0;
		free(text);
	}
	return v;
}

static int write_meta(const char *path, int64_t created)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "created=%lld\n", (long long)created);

	return rs_write_file_atomic(path, buf, (size_t)n);
}

static struct rs_org *find_org(struct rs_catalog *c, const char *name)
{
	for (unsigned i = 0; i < c->norgs; i++)
		if (!strcmp(c->orgs[i]->name, name))
			return c->orgs[i];
	return NULL;
}

static struct rs_ws *find_ws(struct rs_org *o, const char *name)
{
	for (unsigned i = 0; i < o->nws; i++)
		if (!strcmp(o->ws[i]->name, name))
			return o->ws[i];
	return NULL;
}

static const struct rs_limits *limits_for(struct rs_catalog *c, const char *org,
					  const char *ws)
{
	char key[160];

	snprintf(key, sizeof(key), "%s/%s", org, ws);
	for (unsigned i = 0; i < c->nlimit; i++)
		if (!strcmp(c->limit_names[i], key))
			return &c->limit_vals[i];
	return &c->limits;
}

void rs_catalog_set_ws_limits(struct rs_catalog *c, const char *org_ws,
			      const struct rs_limits *l)
{
	pthread_rwlock_wrlock(&c->lock);
	c->limit_names = xrealloc(c->limit_names, (c->nlimit + 1) * sizeof(char *));
	c->limit_vals = xrealloc(c->limit_vals, (c->nlimit + 1) * sizeof(*l));
	c->limit_names[c->nlimit] = xstrdup(org_ws);
	c->limit_vals[c->nlimit] = *l;
	c->nlimit++;
	/* workspaces already loaded pick the override up at once */
	for (unsigned i = 0; i < c->norgs; i++)
		for (unsigned j = 0; j < c->orgs[i]->nws; j++)
			c->orgs[i]->ws[j]->limits =
				*limits_for(c, c->orgs[i]->name, c->orgs[i]->ws[j]->name);
	pthread_rwlock_unlock(&c->lock);
}

static struct rs_ws *ws_new(struct rs_catalog *c, struct rs_org *o, const char *name)
{
	struct rs_ws *w = xcalloc(1, sizeof(*w));
	char path[PATH_MAX];

	w->refs = 1;
	w->name = xstrdup(name);
	w->org = o;
	snprintf(path, sizeof(path), "%s/ws/%s", o->dir, name);
	w->dir = xstrdup(path);
	w->limits = *limits_for(c, o->name, name);
	pthread_mutex_init(&w->log_lock, NULL);
	pthread_mutex_init(&w->members_lock, NULL);
	return w;
}

static void ws_free(struct rs_catalog *c, struct rs_ws *w)
{
	for (unsigned i = 0; i < w->nds; i++)
		rs_ds_unref(c, w->ds[i]);
	free(w->ds);
	rs_opslog_close(w);
	pthread_mutex_destroy(&w->log_lock);
	pthread_mutex_destroy(&w->members_lock);
	free(w->members);
	free(w->name);
	free(w->dir);
	free(w);
}

static int load_ws(struct rs_catalog *c, struct rs_org *o, const char *name,
		   struct rs_err *err)
{
	char path[PATH_MAX];
	struct rs_ws *w;
	int rc;

	w = ws_new(c, o, name);
	snprintf(path, sizeof(path), "%s/ws.meta", w->dir);
	if (access(path, F_OK) != 0) {
		/* mkdir of the workspace did not finish: a leftover */
		rs_rm_rf(w->dir);
		ws_free(c, w);
		return 0;
	}
	w->created = read_created(path);
	if ((rc = rs_ws_load_members(w)) || (rc = rs_opslog_open(w, err))) {
		if (!err || !err->code)
			rs_errf(err, rc, "cannot load workspace '%s'", name);
		ws_free(c, w);
		return rc;
	}
	if ((rc = rs_ds_load_all(c, w, err))) {
		ws_free(c, w);
		return rc;
	}
	o->ws = xrealloc(o->ws, (o->nws + 1) * sizeof(*o->ws));
	o->ws[o->nws++] = w;
	return 0;
}

static struct rs_org *org_new(struct rs_catalog *c, const char *name)
{
	struct rs_org *o = xcalloc(1, sizeof(*o));
	char path[PATH_MAX];

	o->name = xstrdup(name);
	snprintf(path, sizeof(path), "%s/orgs/%s", c->root, name);
	o->dir = xstrdup(path);
	return o;
}

static void org_free(struct rs_catalog *c, struct rs_org *o)
{
	for (unsigned i = 0; i < o->nws; i++)
		rs_ws_unref(c, o->ws[i]);
	free(o->ws);
	free(o->admins);
	free(o->name);
	free(o->dir);
	free(o);
}

static int sorted_entries(const char *dir, char ***out, unsigned *n)
{
	struct dirent **list;
	int k = scandir(dir, &list, NULL, alphasort);

	*out = NULL;
	*n = 0;
	if (k < 0)
		return errno == ENOENT ? 0 : -errno;
	*out = xcalloc((size_t)k + 1, sizeof(char *));
	for (int i = 0; i < k; i++) {
		if (list[i]->d_name[0] != '.')
			(*out)[(*n)++] = xstrdup(list[i]->d_name);
		free(list[i]);
	}
	free(list);
	return 0;
}

static void free_names(char **names, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int load_org(struct rs_catalog *c, const char *name, struct rs_err *err)
{
	char path[PATH_MAX];
	struct rs_org *o = org_new(c, name);
	char **names;
	unsigned n;
	int rc;

	snprintf(path, sizeof(path), "%s/org.meta", o->dir);
	if (access(path, F_OK) != 0) {
		rs_rm_rf(o->dir);
		org_free(c, o);
		return 0;
	}
	o->created = read_created(path);
	rs_org_load_admins(c, o);
	snprintf(path, sizeof(path), "%s/ws", o->dir);
	if ((rc = sorted_entries(path, &names, &n))) {
		org_free(c, o);
		return rs_errf(err, rc, "cannot list '%s'", path);
	}
	for (unsigned i = 0; i < n && !rc; i++)
		if (rs_name_valid_org(names[i]))
			rc = load_ws(c, o, names[i], err);
	free_names(names, n);
	if (rc) {
		org_free(c, o);
		return rc;
	}
	c->orgs = xrealloc(c->orgs, (c->norgs + 1) * sizeof(*c->orgs));
	c->orgs[c->norgs++] = o;
	return 0;
}

int rs_catalog_open(const char *root, const struct rs_limits *defaults,
		    struct rs_catalog **out, struct rs_err *err)
{
	struct rs_catalog *c = xcalloc(1, sizeof(*c));
	char path[PATH_MAX];
	char **names;
	unsigned n;
	int rc;

	c->root = xstrdup(root);
	if (defaults)
		c->limits = *defaults;
	else
		rs_limits_default(&c->limits);
	pthread_rwlock_init(&c->lock, NULL);
	pthread_mutex_init(&c->errors_lock, NULL);
	snprintf(path, sizeof(path), "%s/orgs", root);
	if ((rc = rs_mkdir_p(path, 0755))) {
		rs_catalog_close(c);
		return rs_errf(err, rc, "cannot create storage directory '%s': %s", path,
			       strerror(-rc));
	}
	snprintf(path, sizeof(path), "%s/errors", root);
	rs_mkdir_p(path, 0755);
	snprintf(path, sizeof(path), "%s/tmp", root);
	rs_rm_rf(path);	/* temporary parts of queries a crash interrupted */
	snprintf(path, sizeof(path), "%s/orgs", root);
	if ((rc = sorted_entries(path, &names, &n))) {
		rs_catalog_close(c);
		return rs_errf(err, rc, "cannot list '%s'", path);
	}
	for (unsigned i = 0; i < n && !rc; i++)
		if (rs_name_valid_org(names[i]))
			rc = load_org(c, names[i], err);
	free_names(names, n);
	if (rc) {
		rs_catalog_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

void rs_catalog_close(struct rs_catalog *c)
{
	if (!c)
		return;
	rs_catalog_stop_merger(c);
	for (unsigned i = 0; i < c->norgs; i++)
		org_free(c, c->orgs[i]);
	free(c->orgs);
	for (unsigned i = 0; i < c->ncfg_admins; i++) {
		free(c->cfg_admin_orgs[i]);
		free(c->cfg_admins[i]);
	}
	free(c->cfg_admin_orgs);
	free(c->cfg_admins);
	for (unsigned i = 0; i < c->nlimit; i++)
		free(c->limit_names[i]);
	free(c->limit_names);
	free(c->limit_vals);
	pthread_rwlock_destroy(&c->lock);
	pthread_mutex_destroy(&c->errors_lock);
	free(c->root);
	free(c);
}

int rs_org_create(struct rs_catalog *c, const char *name, struct rs_err *err)
{
	char path[PATH_MAX];
	struct rs_org *o;
	int rc;

	if (!rs_name_valid_org(name))
		return rs_errf(err, -EINVAL,
			       "invalid organization name '%s': use [A-Za-z][A-Za-z0-9_]{0,63}, not 'organization'",
			       name);
	pthread_rwlock_wrlock(&c->lock);
	if (find_org(c, name)) {
		pthread_rwlock_unlock(&c->lock);
		return rs_errf(err, -EEXIST, "organization '%s' already exists", name);
	}
	o = org_new(c, name);
	o->created = rs_wall_time();
	snprintf(path, sizeof(path), "%s/ws", o->dir);
	rc = rs_mkdir_p(path, 0755);
	if (!rc)
		rc = rs_org_load_admins(c, o);	/* "" plus the config's admins */
	if (!rc) {
		snprintf(path, sizeof(path), "%s/org.meta", o->dir);
		rc = write_meta(path, o->created);
	}
	if (rc) {
		rs_rm_rf(o->dir);
		org_free(c, o);
		pthread_rwlock_unlock(&c->lock);
		return rs_errf(err, rc, "cannot create organization '%s': %s", name,
			       strerror(-rc));
	}
	c->orgs = xrealloc(c->orgs, (c->norgs + 1) * sizeof(*c->orgs));
	c->orgs[c->norgs++] = o;
	pthread_rwlock_unlock(&c->lock);
	return 0;
}

int rs_org_delete(struct rs_catalog *c, const char *name, struct rs_err *err)
{
	struct rs_org *o;
	char path[PATH_MAX];
	int rc;

	pthread_rwlock_wrlock(&c->lock);
	o = find_org(c, name);
	if (!o) {
		pthread_rwlock_unlock(&c->lock);
		return rs_errf(err, -ENOENT, "no organization '%s'", name);
	}
	if (o->nws) {
		pthread_rwlock_unlock(&c->lock);
		return rs_errf(err, -ENOTEMPTY, "organization '%s' still has workspaces", name);
	}
	/* the meta file goes first: a crash after it leaves a leftover that
	 * the next mount removes */
	snprintf(path, sizeof(path), "%s/org.meta", o->dir);
	if (unlink(path) < 0 && errno != ENOENT) {
		rc = -errno;
		pthread_rwlock_unlock(&c->lock);
		return rs_errf(err, rc, "cannot delete organization '%s'", name);
	}
	rs_rm_rf(o->dir);
	for (unsigned i = 0; i < c->norgs; i++)
		if (c->orgs[i] == o) {
			memmove(&c->orgs[i], &c->orgs[i + 1],
				(c->norgs - i - 1) * sizeof(*c->orgs));
			c->norgs--;
			break;
		}
	org_free(c, o);
	pthread_rwlock_unlock(&c->lock);
	return 0;
}

int rs_org_exists(struct rs_catalog *c, const char *name, int64_t *created)
{
	struct rs_org *o;

	pthread_rwlock_rdlock(&c->lock);
	o = find_org(c, name);
	if (o && created)
		*created = o->created;
	pthread_rwlock_unlock(&c->lock);
	return o != NULL;
}

int rs_org_list(struct rs_catalog *c, char ***names, unsigned *n)
{
	pthread_rwlock_rdlock(&c->lock);
	*names = xcalloc(c->norgs + 1, sizeof(char *));
	for (unsigned i = 0; i < c->norgs; i++)
		(*names)[i] = xstrdup(c->orgs[i]->name);
	*n = c->norgs;
	pthread_rwlock_unlock(&c->lock);
	return 0;
}

int rs_ws_create(struct rs_catalog *c, const char *org, const char *ws,
		 const char *creator, struct rs_err *err)
{
	char path[PATH_MAX];
	struct rs_org *o;
	struct rs_ws *w;
	int rc;

	if (!rs_name_valid_org(ws))
		return rs_errf(err, -EINVAL,
			       "invalid workspace name '%s': use [A-Za-z][A-Za-z0-9_]{0,63}, not 'organization'",
			       ws);
	pthread_rwlock_wrlock(&c->lock);
	o = find_org(c, org);
	if (!o) {
		pthread_rwlock_unlock(&c->lock);
		return rs_errf(err, -ENOENT, "no organization '%s'", org);
	}
	if (find_ws(o, ws)) {
		pthread_rwlock_unlock(&c->lock);
		return rs_errf(err, -EEXIST, "workspace '%s' already exists", ws);
	}
	w = ws_new(c, o, ws);
	w->created = rs_wall_time();
	rc = rs_mkdir_p(w->dir, 0755);
	if (!rc) {
		char line[300];
		int n = 0;
		if (creator && *creator)
			n = snprintf(line, sizeof(line), "%s admin\n", creator);
		snprintf(path, sizeof(path), "%s/members", w->dir);
		rc = rs_write_file_atomic(path, line, (size_t)n);
	}
	if (!rc)
		rc = rs_ws_load_members(w);
	if (!rc)
		rc = rs_opslog_open(w, err);
	if (!rc) {
		snprintf(path, sizeof(path), "%s/ws.meta", w->dir);
		rc = write_meta(path, w->created);
	}
	if (rc) {
		rs_rm_rf(w->dir);
		ws_free(c, w);
		pthread_rwlock_unlock(&c->lock);
		return rs_errf(err, rc, "cannot create workspace '%s': %s", ws, strerror(-rc));
	}
	o->ws = xrealloc(o->ws, (o->nws + 1) * sizeof(*o->ws));
	o->ws[o->nws++] = w;
	pthread_rwlock_unlock(&c->lock);
	return 0;
}

int rs_ws_delete(struct rs_catalog *c, const char *org, const char *ws,
		 struct rs_err *err)
{
	char path[PATH_MAX];
	struct rs_org *o;
	struct rs_ws *w;

	pthread_rwlock_wrlock(&c->lock);
	o = find_org(c, org);
	w = o ? find_ws(o, ws) : NULL;
	if (!w) {
		pthread_rwlock_unlock(&c->lock);
		return rs_errf(err, -ENOENT, "no workspace '%s'", ws);
	}
	snprintf(path, sizeof(path), "%s/ws.meta", w->dir);
	if (unlink(path) < 0 && errno != ENOENT) {
		int rc = -errno;
		pthread_rwlock_unlock(&c->lock);
		return rs_errf(err, rc, "cannot delete workspace '%s'", ws);
	}
	/* merges and commits in progress finish first, then nothing writes */
	pthread_mutex_lock(&w->log_lock);
	w->deleted = 1;
	pthread_mutex_unlock(&w->log_lock);
	for (unsigned i = 0; i < w->nds; i++) {
		struct rs_ds *d = w->ds[i];
		pthread_mutex_lock(&d->merge_lock);
		pthread_mutex_lock(&d->commit_lock);
		d->deleted = 1;
		pthread_mutex_unlock(&d->commit_lock);
		pthread_mutex_unlock(&d->merge_lock);
	}
	rs_rm_rf(w->dir);
	for (unsigned i = 0; i < o->nws; i++)
		if (o->ws[i] == w) {
			memmove(&o->ws[i], &o->ws[i + 1], (o->nws - i - 1) * sizeof(*o->ws));
			o->nws--;
			break;
		}
	pthread_rwlock_unlock(&c->lock);
	rs_ws_unref(c, w);
	return 0;
}

struct rs_ws *rs_ws_get(struct rs_catalog *c, const char *org, const char *ws)
{
	struct rs_org *o;
	struct rs_ws *w = NULL;

	pthread_rwlock_rdlock(&c->lock);
	o = find_org(c, org);
	if (o)
		w = find_ws(o, ws);
	if (w)
		__atomic_add_fetch(&w->refs, 1, __ATOMIC_SEQ_CST);
	pthread_rwlock_unlock(&c->lock);
	return w;
}

void rs_ws_unref(struct rs_catalog *c, struct rs_ws *w)
{
	if (w && __atomic_sub_fetch(&w->refs, 1, __ATOMIC_SEQ_CST) == 0)
		ws_free(c, w);
}

int rs_ws_list(struct rs_catalog *c, const char *org, char ***names, unsigned *n)
{
	struct rs_org *o;

	pthread_rwlock_rdlock(&c->lock);
	o = find_org(c, org);
	if (!o) {
		pthread_rwlock_unlock(&c->lock);
		return -ENOENT;
	}
	*names = xcalloc(o->nws + 1, sizeof(char *));
	for (unsigned i = 0; i < o->nws; i++)
		(*names)[i] = xstrdup(o->ws[i]->name);
	*n = o->nws;
	pthread_rwlock_unlock(&c->lock);
	return 0;
}

int rs_ws_files_dir(struct rs_ws *ws, const char *folder, char *out, size_t outsz)
{
	if (snprintf(out, outsz, "%s/files/%s", ws->dir, folder) >= (int)outsz)
		return -ENAMETOOLONG;
	return rs_mkdir_p(out, 0755);
}
