/*
 * views.c - the computed tables of views.h. Numbers come from the live
 * catalog: snapshots for rows and bytes, the members texts, the ops logs.
 */
#include "views.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/err.h"
#include "../base/util.h"
#include "../output/export.h"
#include "opslog.h"

static void view_init(struct rs_view *v, const char *const *spec)
{
	rs_schema_init(&v->schema);
	for (unsigned i = 0; spec[i]; i += 2) {
		struct rs_type *t = NULL;
		rs_type_parse(spec[i + 1], &t, NULL);
		rs_schema_add(&v->schema, spec[i], t);
	}
	v->cols = xcalloc(v->schema.ncols, sizeof(*v->cols));
	for (unsigned i = 0; i < v->schema.ncols; i++)
		rs_col_init(&v->cols[i], v->schema.cols[i].type);
	v->nrows = 0;
}

void rs_view_release(struct rs_view *v)
{
	if (v->cols)
		for (unsigned i = 0; i < v->schema.ncols; i++)
			rs_col_release(&v->cols[i]);
	free(v->cols);
	v->cols = NULL;
	rs_schema_release(&v->schema);
}

static void put_s(struct rs_col *c, const char *s)
{
	rs_col_push_str(c, s, strlen(s));
}

static void put_u64(struct rs_col *c, uint64_t v)
{
	rs_col_push_fixed(c, &v);
}

static void put_dt(struct rs_col *c, int64_t t)
{
	uint32_t v = (uint32_t)t;
	rs_col_push_fixed(c, &v);
}

struct ds_numbers {
	uint64_t rows, bytes, qrows, qbytes;
};

static void ds_numbers(struct rs_ds *d, struct ds_numbers *n)
{
	struct rs_snapshot *s = rs_table_snapshot(d->data);
	struct rs_table *q;

	n->rows = s->rows;
	n->bytes = s->bytes;
	rs_snapshot_unref(s);
	n->qrows = n->qbytes = 0;
	pthread_mutex_lock(&d->lock);
	q = d->quarantine;
	pthread_mutex_unlock(&d->lock);
	if (q) {
		s = rs_table_snapshot(q);
		n->qrows = s->rows;
		n->qbytes = s->bytes;
		rs_snapshot_unref(s);
	}
}

static unsigned count_lines(const char *text, size_t len)
{
	unsigned n = 0;
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		const char *q = p;
		if (!e)
			e = end;
		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		if (q < e && *q != '#' && *q != '\r')
			n++;
		p = e + 1;
	}
	return n;
}

static unsigned count_pipes(struct rs_ws *w)
{
	static const char *const folders[] = { "pipes", "endpoints", "materializations", "copies" };
	char dir[4096];
	unsigned n = 0;

	for (unsigned f = 0; f < 4; f++) {
		if (rs_ws_files_dir(w, folders[f], dir, sizeof(dir)))
			continue;
		DIR *dh = opendir(dir);
		struct dirent *e;
		while (dh && (e = readdir(dh))) {
			size_t l = strlen(e->d_name);
			if (l > 5 && !strcmp(e->d_name + l - 5, ".pipe"))
				n++;
		}
		if (dh)
			closedir(dh);
	}
	return n;
}

/* errors in a workspace: ops log rows whose result is 'error' */
static uint64_t count_errors(struct rs_ws *w)
{
	char path[4096], *text = NULL;
	uint64_t n = 0;

	rs_opslog_csv_path(w, path, sizeof(path));
	if (rs_read_file(path, &text, NULL) == 0) {
		const char *body = strchr(text, '\n');	/* past the header */
		for (const char *p = body; p && (p = strstr(p, ",\"error\",")); p++)
			n++;
		free(text);
	}
	return n;
}

/* every workspace of org, referenced; caller unrefs */
static struct rs_ws **org_workspaces(struct rs_catalog *c, const char *org, unsigned *n)
{
	struct rs_ws **ws = NULL;

	*n = 0;
	pthread_rwlock_rdlock(&c->lock);
	for (unsigned i = 0; i < c->norgs; i++) {
		if (strcmp(c->orgs[i]->name, org))
			continue;
		ws = xcalloc(c->orgs[i]->nws + 1, sizeof(*ws));
		for (unsigned j = 0; j < c->orgs[i]->nws; j++) {
			ws[j] = c->orgs[i]->ws[j];
			__atomic_add_fetch(&ws[j]->refs, 1, __ATOMIC_SEQ_CST);
		}
		*n = c->orgs[i]->nws;
	}
	pthread_rwlock_unlock(&c->lock);
	return ws;
}

static struct rs_ds **ws_datasources(struct rs_catalog *c, struct rs_ws *w, unsigned *n)
{
	struct rs_ds **ds;

	pthread_rwlock_rdlock(&c->lock);
	ds = xcalloc(w->nds + 1, sizeof(*ds));
	for (unsigned k = 0; k < w->nds; k++) {
		ds[k] = w->ds[k];
		__atomic_add_fetch(&ds[k]->refs, 1, __ATOMIC_SEQ_CST);
	}
	*n = w->nds;
	pthread_rwlock_unlock(&c->lock);
	return ds;
}

static void storage_rows(struct rs_catalog *c, struct rs_ws *w, struct rs_view *v, int with_ws)
{
	unsigned nds;
	struct rs_ds **ds = ws_datasources(c, w, &nds);
	int64_t now = rs_wall_time();

	for (unsigned k = 0; k < nds; k++) {
		struct ds_numbers dn;
		unsigned i = 0;
		ds_numbers(ds[k], &dn);
		if (with_ws)
			put_s(&v->cols[i++], w->name);
		else
			put_dt(&v->cols[i++], now);
		put_s(&v->cols[i++], ds[k]->id);
		put_s(&v->cols[i++], ds[k]->name);
		put_u64(&v->cols[i++], dn.rows);
		put_u64(&v->cols[i++], dn.bytes);
		put_u64(&v->cols[i++], dn.qrows);
		put_u64(&v->cols[i++], dn.qbytes);
		v->nrows++;
		rs_ds_unref(c, ds[k]);
	}
	free(ds);
}

static const char *const ws_spec[] = {
	"workspace", "String", "created", "DateTime", "members", "UInt64",
	"datasources", "UInt64", "pipes", "UInt64", "rows", "UInt64", "storage_bytes", "UInt64",
	"quarantined_rows", "UInt64", "requests", "UInt64", "errors", "UInt64", NULL,
};
static const char *const members_spec[] = { "user", "String", "workspace", "String", "role",
					    "String", NULL };
static const char *const org_storage_spec[] = {
	"workspace", "String", "datasource_id", "String", "datasource_name", "String",
	"rows", "UInt64", "bytes", "UInt64", "rows_quarantine", "UInt64", "bytes_quarantine",
	"UInt64", NULL,
};
static const char *const ws_storage_spec[] = {
	"timestamp", "DateTime", "datasource_id", "String", "datasource_name", "String",
	"rows", "UInt64", "bytes", "UInt64", "rows_quarantine", "UInt64", "bytes_quarantine",
	"UInt64", NULL,
};
static const char *const pipe_stats_spec[] = {
	"workspace", "String", "date", "Date", "pipe_id", "String", "pipe_name", "String",
	"view_count", "UInt64", "error_count", "UInt64", "avg_duration", "Float64",
	"read_bytes_sum", "UInt64", "read_rows_sum", "UInt64", NULL,
};

static int svc_rows(struct rs_catalog *c, struct rs_ws **ws, unsigned nws, enum rs_svc id,
		    struct rs_view *v, struct rs_err *err);

/* pipe_stats of the organization: pipe_stats_rt of every workspace
 * aggregated per (workspace, day, pipe), as tinybird.pipe_stats does for one */
struct rt_ref {
	const struct rs_view *rt;
	size_t row;
};

static int str_cmp_at(const struct rs_col *c, size_t a, size_t b)
{
	size_t la, lb;
	const char *pa = rs_col_str(c, a, &la), *pb = rs_col_str(c, b, &lb);
	int r = memcmp(pa, pb, la < lb ? la : lb);

	return r ? r : (la < lb ? -1 : la > lb);
}

static uint32_t rt_day(const struct rs_view *rt, size_t r)
{
	return *(const uint32_t *)rs_col_fixed(&rt->cols[1], r) / 86400;
}

static int rt_cmp(const void *x, const void *y)
{
	const struct rt_ref *a = x, *b = y;
	const struct rs_view *v = a->rt;
	int c = str_cmp_at(&v->cols[0], a->row, b->row);	/* workspace */
	uint32_t da, db;

	if (c)
		return c;
	da = rt_day(v, a->row);
	db = rt_day(v, b->row);
	if (da != db)
		return da < db ? -1 : 1;
	c = str_cmp_at(&v->cols[4], a->row, b->row);		/* pipe_name */
	if (c)
		return c;
	return a->row < b->row ? -1 : a->row > b->row;
}

static int same_group(const struct rs_view *v, size_t a, size_t b)
{
	return !str_cmp_at(&v->cols[0], a, b) && rt_day(v, a) == rt_day(v, b) &&
	       !str_cmp_at(&v->cols[4], a, b) && !str_cmp_at(&v->cols[3], a, b);
}

static int org_pipe_stats(struct rs_catalog *c, struct rs_ws **ws, unsigned nws,
			  struct rs_view *v, struct rs_err *err)
{
	struct rs_view rt;
	struct rt_ref *refs;
	int rc;

	memset(&rt, 0, sizeof(rt));
	if ((rc = svc_rows(c, ws, nws, RS_SVC_PIPE_STATS_RT, &rt, err)))
		return rc;
	view_init(v, pipe_stats_spec);
	refs = xcalloc(rt.nrows ? rt.nrows : 1, sizeof(*refs));
	for (size_t r = 0; r < rt.nrows; r++) {
		refs[r].rt = &rt;
		refs[r].row = r;
	}
	qsort(refs, rt.nrows, sizeof(*refs), rt_cmp);
	for (size_t i = 0; i < rt.nrows;) {
		size_t j = i, first = refs[i].row;
		uint64_t views = 0, errors = 0, rbytes = 0, rrows = 0;
		double dur = 0;
		for (; j < rt.nrows && same_group(&rt, first, refs[j].row); j++) {
			size_t r = refs[j].row;
			views++;
			errors += *(const uint8_t *)rs_col_fixed(&rt.cols[10], r) != 0;
			dur += *(const float *)rs_col_fixed(&rt.cols[5], r);
			rbytes += *(const uint64_t *)rs_col_fixed(&rt.cols[6], r);
			rrows += *(const uint64_t *)rs_col_fixed(&rt.cols[7], r);
		}
		uint16_t day = (uint16_t)rt_day(&rt, first);
		double avg = dur / (double)views;
		rs_col_append(&v->cols[0], &rt.cols[0], first, 1);
		rs_col_push_fixed(&v->cols[1], &day);
		rs_col_append(&v->cols[2], &rt.cols[3], first, 1);
		rs_col_append(&v->cols[3], &rt.cols[4], first, 1);
		put_u64(&v->cols[4], views);
		put_u64(&v->cols[5], errors);
		rs_col_push_fixed(&v->cols[6], &avg);
		put_u64(&v->cols[7], rbytes);
		put_u64(&v->cols[8], rrows);
		v->nrows++;
		i = j;
	}
	free(refs);
	rs_view_release(&rt);
	return 0;
}

/* the rows of a service data source of every workspace, with a workspace column */
static int svc_rows(struct rs_catalog *c, struct rs_ws **ws, unsigned nws, enum rs_svc id,
		    struct rs_view *v, struct rs_err *err)
{
	const struct rs_schema *ls = rs_svc_schema(id);
	struct rs_col *tmp = xcalloc(ls->ncols, sizeof(*tmp));
	int rc = 0;

	rs_schema_init(&v->schema);
	{
		struct rs_type *t = NULL;
		rs_type_parse("String", &t, NULL);
		rs_schema_add(&v->schema, "workspace", t);
	}
	for (unsigned i = 0; i < ls->ncols; i++)
		rs_schema_add(&v->schema, ls->cols[i].name, rs_type_clone(ls->cols[i].type));
	v->cols = xcalloc(v->schema.ncols, sizeof(*v->cols));
	for (unsigned i = 0; i < v->schema.ncols; i++)
		rs_col_init(&v->cols[i], v->schema.cols[i].type);
	for (unsigned i = 0; i < ls->ncols; i++)
		rs_col_init(&tmp[i], ls->cols[i].type);
	for (unsigned w = 0; w < nws && !rc; w++) {
		struct rs_snapshot *s;
		if (!rs_svc_table(ws[w], id))
			continue;
		s = rs_table_snapshot(rs_svc_table(ws[w], id));
		for (unsigned p = 0; p < s->nparts && !rc; p++)
			for (unsigned g = 0; g < rs_part_ngranules(s->parts[p]) && !rc; g++) {
				rc = rs_read_granule_as(s->parts[p], g, ls, NULL, tmp, 0, err);
				for (size_t r = 0; !rc && r < tmp[0].n; r++) {
					put_s(&v->cols[0], ws[w]->name);
					for (unsigned i = 0; i < ls->ncols && !rc; i++)
						rc = rs_col_append(&v->cols[i + 1], &tmp[i], r, 1);
					v->nrows++;
				}
			}
		rs_snapshot_unref(s);
	}
	for (unsigned i = 0; i < ls->ncols; i++)
		rs_col_release(&tmp[i]);
	free(tmp);
	return rc;
}

int rs_org_view(struct rs_catalog *c, const char *org, const char *name, struct rs_view *v,
		struct rs_err *err)
{
	unsigned nws;
	struct rs_ws **ws;
	int rc = 0;

	memset(v, 0, sizeof(*v));
	if (strcmp(name, "workspaces") && strcmp(name, "members") &&
	    strcmp(name, "datasources_storage") && strcmp(name, "datasources_ops_log") &&
	    strcmp(name, "pipe_stats") && strcmp(name, "pipe_stats_rt"))
		return rs_errf(err, -ENOENT, "no organization view '%s'", name);
	ws = org_workspaces(c, org, &nws);
	if (!ws)
		return rs_errf(err, -ENOENT, "no organization '%s'", org);
	if (!strcmp(name, "workspaces")) {
		view_init(v, ws_spec);
		for (unsigned w = 0; w < nws; w++) {
			unsigned nds;
			struct rs_ds **ds = ws_datasources(c, ws[w], &nds);
			uint64_t rows = 0, bytes = 0, qrows = 0, members;
			for (unsigned k = 0; k < nds; k++) {
				struct ds_numbers dn;
				ds_numbers(ds[k], &dn);
				rows += dn.rows;
				bytes += dn.bytes + dn.qbytes;
				qrows += dn.qrows;
				rs_ds_unref(c, ds[k]);
			}
			free(ds);
			pthread_mutex_lock(&ws[w]->members_lock);
			members = ws[w]->members ? count_lines(ws[w]->members, ws[w]->members_len) : 0;
			pthread_mutex_unlock(&ws[w]->members_lock);
			put_s(&v->cols[0], ws[w]->name);
			put_dt(&v->cols[1], ws[w]->created);
			put_u64(&v->cols[2], members);
			put_u64(&v->cols[3], nds);
			put_u64(&v->cols[4], count_pipes(ws[w]));
			put_u64(&v->cols[5], rows);
			put_u64(&v->cols[6], bytes);
			put_u64(&v->cols[7], qrows);
			put_u64(&v->cols[8], 0);	/* NEEDSWORK: pipe requests (pipes issue) */
			put_u64(&v->cols[9], count_errors(ws[w]));
			v->nrows++;
		}
	} else if (!strcmp(name, "members")) {
		view_init(v, members_spec);
		for (unsigned w = 0; w < nws; w++) {
			pthread_mutex_lock(&ws[w]->members_lock);
			const char *p = ws[w]->members, *end = p ? p + ws[w]->members_len : NULL;
			while (p && p < end) {
				const char *e = memchr(p, '\n', (size_t)(end - p));
				char who[256], role[64];
				char line[512];
				size_t l;
				if (!e)
					e = end;
				l = (size_t)(e - p) < sizeof(line) - 1 ? (size_t)(e - p) : sizeof(line) - 1;
				memcpy(line, p, l);
				line[l] = 0;
				if (sscanf(line, "%255s %63s", who, role) == 2 && who[0] != '#') {
					put_s(&v->cols[0], who);
					put_s(&v->cols[1], ws[w]->name);
					put_s(&v->cols[2], role);
					v->nrows++;
				}
				p = e + 1;
			}
			pthread_mutex_unlock(&ws[w]->members_lock);
		}
	} else if (!strcmp(name, "datasources_storage")) {
		view_init(v, org_storage_spec);
		for (unsigned w = 0; w < nws; w++)
			storage_rows(c, ws[w], v, 1);
	} else if (!strcmp(name, "datasources_ops_log")) {
		rc = svc_rows(c, ws, nws, RS_SVC_OPS_LOG, v, err);
	} else if (!strcmp(name, "pipe_stats")) {
		rc = org_pipe_stats(c, ws, nws, v, err);
	} else {
		rc = svc_rows(c, ws, nws, RS_SVC_PIPE_STATS_RT, v, err);
	}
	for (unsigned w = 0; w < nws; w++)
		rs_ws_unref(c, ws[w]);
	free(ws);
	if (rc)
		rs_view_release(v);
	return rc;
}

int rs_ws_view(struct rs_catalog *c, struct rs_ws *ws, const char *name, struct rs_view *v,
	       struct rs_err *err)
{
	memset(v, 0, sizeof(*v));
	if (strcmp(name, "datasources_storage"))
		return rs_errf(err, -ENOENT, "no service data source '%s'", name);
	view_init(v, ws_storage_spec);
	storage_rows(c, ws, v, 0);
	return 0;
}
