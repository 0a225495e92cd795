/*
 * merger.c - background merges: one thread that, every second, combines
 * small parts of every data source, quarantine and ops log into bigger
 * ones (storage/table.h rs_table_merge), ordered by (partition key,
 * sorting key). Readers never wait: merges swap parts atomically. A data
 * source being deleted waits for its merge (ds->merge_lock).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../base/err.h"
#include "../base/mem.h"
#include "../base/util.h"
#include "catalog.h"
#include "opslog.h"

#define MERGE_MIN_ROWS (1u << 20)	/* parts below this size are merge candidates */
#define MERGE_MAX_PARTS 64		/* past this count any parts are merged */
#define MERGE_FANIN 8

static int cmp_dsv(void *ctx, const struct rs_col *a, size_t ai, const struct rs_col *b,
		   size_t bi)
{
	const struct rs_dsv *v = ctx;
	int c = rs_key_cmp(&v->part_key, a, ai, b, bi);

	return c ? c : rs_key_cmp(&v->sort_key, a, ai, b, bi);
}

/* logs and quarantines keep commit order */
static int cmp_none(void *ctx, const struct rs_col *a, size_t ai, const struct rs_col *b,
		    size_t bi)
{
	return 0;
}

static void merge_table(struct rs_table *t, const struct rs_schema *schema, rs_row_cmp_fn cmp,
			void *ctx, const char *what)
{
	struct rs_err err = { 0 };
	int rounds = 0, rc;

	/* a few rounds per tick: a burst of small commits converges quickly */
	while ((rc = rs_table_merge(t, schema, cmp, ctx, MERGE_MAX_PARTS, MERGE_MIN_ROWS,
				    MERGE_FANIN, &err)) > 0 && ++rounds < 4)
		;
	if (rc < 0)
		fprintf(stderr, "roost: merge of %s failed: %s\n", what,
			err.msg[0] ? err.msg : strerror(-rc));
}

struct ttl_ctx {
	const struct rs_ttl *ttl;
	const char *col;
	int64_t now;
};

static int ttl_keep(void *ctx, const struct rs_schema *s, const struct rs_col *cols, size_t r)
{
	struct ttl_ctx *t = ctx;
	int i = rs_schema_find(s, t->col);

	if (i < 0 || rs_col_is_null(&cols[i], r))
		return 1;
	return rs_ttl_expiry(t->ttl, &cols[i], r) > t->now;
}

/* ENGINE_TTL: rewrite parts that hold expired rows (granule minimums say
 * which might), dropping those rows; parts left empty go. */
static void apply_ttl(struct rs_ds *d, struct rs_dsv *v)
{
	struct ttl_ctx tc = { &v->ttl, v->schema.cols[v->ttl.col].name, rs_wall_time() };
	struct rs_snapshot *s = rs_table_snapshot(d->data);
	const struct rs_type *bt = rs_type_base(v->schema.cols[v->ttl.col].type);

	for (unsigned i = 0; i < s->nparts; i++) {
		struct rs_part *p = s->parts[i];
		int col = rs_schema_find(rs_part_schema(p), tc.col), expired = 0;
		struct rs_err err = { 0 };

		if (col < 0)
			continue;
		for (unsigned g = 0; g < rs_part_ngranules(p) && !expired; g++) {
			struct rs_col mn, mx;
			int known;
			rs_col_init(&mn, bt);
			rs_col_init(&mx, bt);
			known = rs_part_minmax(p, (unsigned)col, g, &mn, &mx, NULL);
			/* unknown min/max: look at the rows */
			expired = known <= 0 || rs_ttl_expiry(&v->ttl, &mn, 0) <= tc.now;
			rs_col_release(&mn);
			rs_col_release(&mx);
		}
		if (expired && rs_table_rewrite(d->data, p, ttl_keep, &tc, &err) < 0)
			fprintf(stderr, "roost: TTL of %s failed: %s\n", d->name, err.msg);
	}
	rs_snapshot_unref(s);
}

static void merge_ds(struct rs_catalog *c, struct rs_ds *d)
{
	struct rs_dsv *v;
	struct rs_table *q;

	pthread_mutex_lock(&d->merge_lock);
	if (!d->deleted) {
		v = rs_ds_version(d);
		if (v->ttl.col >= 0)
			apply_ttl(d, v);
		merge_table(d->data, &v->schema, cmp_dsv, v, d->name);
		pthread_mutex_lock(&d->lock);
		q = d->quarantine;
		pthread_mutex_unlock(&d->lock);
		if (q)
			merge_table(q, &v->qschema, cmp_none, NULL, d->name);
		rs_dsv_unref(v);
	}
	pthread_mutex_unlock(&d->merge_lock);
}

/* One pass over everything; returns after it. */
void rs_catalog_merge_all(struct rs_catalog *c)
{
	struct rs_ws **ws = NULL;
	struct rs_ds **ds = NULL;
	unsigned nws = 0, nds = 0;

	/* collect references under the lock, merge without it */
	pthread_rwlock_rdlock(&c->lock);
	for (unsigned i = 0; i < c->norgs; i++)
		for (unsigned j = 0; j < c->orgs[i]->nws; j++) {
			struct rs_ws *w = c->orgs[i]->ws[j];
			ws = xrealloc(ws, (nws + 1) * sizeof(*ws));
			ws[nws++] = w;
			__atomic_add_fetch(&w->refs, 1, __ATOMIC_SEQ_CST);
			for (unsigned k = 0; k < w->nds; k++) {
				ds = xrealloc(ds, (nds + 1) * sizeof(*ds));
				ds[nds++] = w->ds[k];
				__atomic_add_fetch(&w->ds[k]->refs, 1, __ATOMIC_SEQ_CST);
			}
		}
	pthread_rwlock_unlock(&c->lock);
	for (unsigned i = 0; i < nds; i++) {
		if (!c->merger_stop)
			merge_ds(c, ds[i]);
		rs_ds_unref(c, ds[i]);
	}
	for (unsigned i = 0; i < nws; i++) {
		rs_svc_flush(ws[i]);	/* request rows batched since the last tick */
		pthread_mutex_lock(&ws[i]->log_lock);
		for (int k = 0; k < RS_SVC_N; k++)
			if (!ws[i]->deleted && ws[i]->svc[k] && !c->merger_stop)
				merge_table(ws[i]->svc[k], rs_svc_schema(k), cmp_none, NULL, rs_svc_name(k));
		pthread_mutex_unlock(&ws[i]->log_lock);
		rs_ws_unref(c, ws[i]);
	}
	free(ds);
	free(ws);
}

static void *merger_main(void *arg)
{
	struct rs_catalog *c = arg;

	pthread_mutex_lock(&c->merger_mu);
	while (!c->merger_stop) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&c->merger_cv, &c->merger_mu, &ts);
		if (c->merger_stop)
			break;
		pthread_mutex_unlock(&c->merger_mu);
		rs_catalog_merge_all(c);
		rs_mem_tick(rs_now_ns() / 1000000);	/* idle: memory back */
		pthread_mutex_lock(&c->merger_mu);
	}
	pthread_mutex_unlock(&c->merger_mu);
	return NULL;
}

int rs_catalog_start_merger(struct rs_catalog *c)
{
	int rc;

	pthread_mutex_init(&c->merger_mu, NULL);
	pthread_cond_init(&c->merger_cv, NULL);
	c->merger_stop = 0;
	rc = pthread_create(&c->merger, NULL, merger_main, c);
	if (rc)
		return -rc;
	c->merger_on = 1;
	return 0;
}

void rs_catalog_stop_merger(struct rs_catalog *c)
{
	if (!c->merger_on)
		return;
	pthread_mutex_lock(&c->merger_mu);
	c->merger_stop = 1;
	pthread_cond_signal(&c->merger_cv);
	pthread_mutex_unlock(&c->merger_mu);
	pthread_join(c->merger, NULL);
	c->merger_on = 0;
	pthread_mutex_destroy(&c->merger_mu);
	pthread_cond_destroy(&c->merger_cv);
}
