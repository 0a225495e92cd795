/*
 * ingest_stage.c - staged rows to parts: sort by (partition key, sorting
 * key), cut at partition boundaries, write each run as a part that no
 * manifest names yet. Memory beyond the staged rows: the permutation,
 * integer keys as u64s (8 bytes per row and key) and one granule of
 * gathered rows.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../storage/part.h"
#include "../types/value.h"
#include "ingest_int.h"

struct sort_ctx {
	struct rs_col **keys;	/* partition keys first, then sorting keys */
	unsigned nkeys;
	unsigned npart;		/* how many of keys are partition keys */
	uint64_t **u;		/* per key: its values as order-preserving u64s, or NULL */
};

/* Keys held as non-Nullable integers (Date, DateTime, UInt*, Int*...) are
 * copied once as u64s that order like the values (into g->keyu[k], kept for
 * the next set), so that comparing rows costs two loads instead of
 * rs_value_cmp's dispatch. NULL for other types (or without memory: then
 * rs_value_cmp does it). */
static uint64_t *int_keys(struct rs_ingest *g, unsigned k, const struct rs_col *c)
{
	const uint8_t *d = c->data;
	uint64_t *u;
	int sgn;

	if (c->nulls || rs_type_is_nullable(c->type) || rs_type_phys(c->type) != RS_PHYS_FIXED)
		return NULL;
	switch (rs_type_base(c->type)->id) {
	case RS_T_UINT8: case RS_T_UINT16: case RS_T_UINT32: case RS_T_UINT64:
	case RS_T_BOOL: case RS_T_DATE: case RS_T_DATETIME:
		sgn = 0;
		break;
	case RS_T_INT8: case RS_T_INT16: case RS_T_INT32: case RS_T_INT64:
	case RS_T_DATE32: case RS_T_DATETIME64:
		sgn = 1;
		break;
	default:
		return NULL;
	}
	if (k >= RS_ARRAY_SIZE(g->keyu) || c->n > g->keyu_cap)
		return NULL;
	if (!g->keyu[k] && !(g->keyu[k] = malloc((g->keyu_cap ? g->keyu_cap : 1) * sizeof(*u))))
		return NULL;
	u = g->keyu[k];
	for (size_t r = 0; r < c->n; r++) {
		uint64_t v;
		if (c->width == 1) {
			v = sgn ? (uint64_t)(int64_t)(int8_t)d[r] : d[r];
		} else if (c->width == 2) {
			uint16_t x;
			memcpy(&x, d + r * 2, 2);
			v = sgn ? (uint64_t)(int64_t)(int16_t)x : x;
		} else if (c->width == 4) {
			uint32_t x;
			memcpy(&x, d + r * 4, 4);
			v = sgn ? (uint64_t)(int64_t)(int32_t)x : x;
		} else {
			memcpy(&v, d + r * 8, 8);
		}
		u[r] = sgn ? v ^ (1ull << 63) : v;
	}
	return u;
}

static int cmp_keys(const struct sort_ctx *s, unsigned nk, uint32_t a, uint32_t b)
{
	for (unsigned k = 0; k < nk; k++) {
		int c;
		if (s->u[k])
			c = (s->u[k][a] > s->u[k][b]) - (s->u[k][a] < s->u[k][b]);
		else
			c = rs_value_cmp(s->keys[k], a, s->keys[k], b);
		if (c)
			return c;
	}
	return 0;
}

static int cmp_rows(const void *pa, const void *pb, void *ctx)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	int c = cmp_keys(ctx, ((struct sort_ctx *)ctx)->nkeys, a, b);

	return c ? c : (a < b ? -1 : a > b);	/* stable: keep arrival order */
}

int rs_ingest_stage_full(const struct rs_ingest *g)
{
	size_t n = g->cols[0].n, bytes = 0;

	if (n >= RS_STAGE_MAX_ROWS)
		return 1;
	if (n & 1023)
		return 0;
	for (unsigned i = 0; i < g->v->schema.ncols; i++) {
		const struct rs_col *c = &g->cols[i];
		bytes += c->n * (c->width + 8) + c->nbytes;
		if (c->child)
			bytes += c->child->n * (c->child->width + 8) + c->child->nbytes;
	}
	return bytes >= RS_STAGE_MAX_BYTES;
}

void rs_staged_discard(struct rs_staged *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		rs_rm_rf(s->dirs[i]);
		free(s->dirs[i]);
	}
	free(s->dirs);
	s->dirs = NULL;
	s->n = 0;
}

void rs_staged_clear(struct rs_staged *s)
{
	for (unsigned i = 0; i < s->n; i++)
		free(s->dirs[i]);
	free(s->dirs);
	s->dirs = NULL;
	s->n = 0;
}

/* Write rows perm[from..to) of cols as one part. */
static int write_run(struct rs_table *t, const struct rs_schema *schema, struct rs_col *cols,
		     const uint32_t *perm, size_t from, size_t to, unsigned nthreads,
		     struct rs_staged *st, struct rs_err *err)
{
	char dir[PATH_MAX];
	struct rs_part_writer *w = NULL;
	struct rs_col *tmp = NULL;
	int rc;

	rs_table_new_part_dir(t, dir, sizeof(dir));
	if ((rc = rs_part_writer_open(dir, schema, &w, err)))
		return rc;
	if (!perm) {
		rc = rs_part_writer_add_par(w, cols, from, to - from, nthreads, err);
	} else {
		tmp = xcalloc(schema->ncols, sizeof(*tmp));
		for (unsigned i = 0; i < schema->ncols; i++)
			rs_col_init(&tmp[i], schema->cols[i].type);
		for (size_t r = from; r < to && !rc; r += RS_GRANULE_ROWS) {
			size_t n = RS_MIN((size_t)RS_GRANULE_ROWS, to - r);
			for (unsigned i = 0; i < schema->ncols && !rc; i++) {
				rs_col_reset(&tmp[i]);
				rc = rs_col_gather(&tmp[i], &cols[i], perm + r, n);
			}
			if (!rc)
				rc = rs_part_writer_add(w, tmp, 0, n, err);
		}
		for (unsigned i = 0; i < schema->ncols; i++)
			rs_col_release(&tmp[i]);
		free(tmp);
	}
	if (rc) {
		rs_part_writer_abort(w);
		return rc == -ENOMEM ? rs_errf(err, rc, "out of memory writing a part") : rc;
	}
	if ((rc = rs_part_writer_finish(w, err))) {
		rs_rm_rf(dir);
		return rc;
	}
	st->dirs = xrealloc(st->dirs, (st->n + 1) * sizeof(char *));
	st->dirs[st->n++] = xstrdup(dir);
	return 0;
}

/* Sort cols by (partition, sorting key) and write one part per partition. */
static int write_sorted(struct rs_ingest *g, struct rs_col *cols, struct rs_staged *st,
			struct rs_err *err)
{
	const struct rs_schema *schema = &g->v->schema;
	size_t n = cols[0].n;
	struct sort_ctx sc = { 0 };
	struct rs_col **owned = NULL;
	uint32_t *perm = NULL;
	struct rs_table *t = g->ds->data;
	int rc = 0;

	sc.npart = g->v->part_key.n;
	sc.nkeys = g->v->part_key.n + g->v->sort_key.n;
	if (sc.nkeys) {
		sc.keys = xcalloc(sc.nkeys, sizeof(*sc.keys));
		owned = xcalloc(sc.nkeys, sizeof(*owned));
		for (unsigned k = 0; k < sc.nkeys && !rc; k++) {
			const struct rs_key *key = k < sc.npart ? &g->v->part_key : &g->v->sort_key;
			unsigned idx = k < sc.npart ? k : k - sc.npart;
			int own = 0;
			rc = rs_key_eval(key, idx, cols, &sc.keys[k], &own);
			if (own)
				owned[k] = sc.keys[k];
		}
		if (rc) {
			rs_errf(err, rc, "out of memory sorting rows");
			goto out;
		}
		if (g->keyu_cap < n) {
			/* sets are about the same size: one allocation per key and segment */
			for (unsigned j = 0; j < RS_ARRAY_SIZE(g->keyu); j++) {
				free(g->keyu[j]);
				g->keyu[j] = NULL;
			}
			g->keyu_cap = n;
		}
		sc.u = xcalloc(sc.nkeys, sizeof(*sc.u));
		for (unsigned k = 0; k < sc.nkeys; k++)
			sc.u[k] = int_keys(g, k, sc.keys[k]);
		/* already in order (time-ordered input is common): no permutation */
		size_t r;
		for (r = 1; r < n; r++)
			if (cmp_keys(&sc, sc.nkeys, (uint32_t)(r - 1), (uint32_t)r) > 0)
				break;
		if (r < n) {
			perm = malloc(n * sizeof(*perm));
			if (!perm) {
				rc = rs_errf(err, -ENOMEM, "out of memory sorting rows");
				goto out;
			}
			for (size_t i = 0; i < n; i++)
				perm[i] = (uint32_t)i;
			qsort_r(perm, n, sizeof(*perm), cmp_rows, &sc);
		}
	}
	/* one part per partition run */
	size_t from = 0;
	while (from < n && !rc) {
		size_t to = from + 1;
		if (sc.npart) {
			while (to < n && cmp_keys(&sc, sc.npart, perm ? perm[to - 1] : (uint32_t)(to - 1),
						  perm ? perm[to] : (uint32_t)to) == 0)
				to++;
		} else {
			to = n;
		}
		rc = write_run(t, schema, cols, perm, from, to, g->stage_threads, st, err);
		from = to;
	}
out:
	if (owned) {
		for (unsigned k = 0; k < sc.nkeys; k++)
			if (owned[k]) {
				rs_col_release(owned[k]);
				free(owned[k]);
			}
		free(owned);
	}
	free(sc.u);
	free(sc.keys);
	free(perm);
	for (unsigned i = 0; i < schema->ncols; i++)
		rs_col_reset(&cols[i]);
	return rc;
}

static void *worker_main(void *arg)
{
	struct rs_ingest *g = arg;

	g->worker_rc = write_sorted(g, g->spare, &g->staged, &g->worker_err);
	__atomic_store_n(&g->worker_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

int rs_ingest_stage_wait(struct rs_ingest *g, struct rs_err *err)
{
	int rc;

	if (!g->worker_on)
		return 0;
	pthread_join(g->worker, NULL);
	g->worker_on = 0;
	rc = g->worker_rc;
	g->worker_rc = 0;
	if (rc && err && !err->code)
		*err = g->worker_err;
	memset(&g->worker_err, 0, sizeof(g->worker_err));
	return rc;
}

/*
 * Main rows: the full set is handed to a worker thread that sorts, encodes
 * and writes it while parsing goes on into the other set (both cores busy,
 * memory bounded by two sets). Quarantine rows are few: written here.
 *
 * The worker encodes with RS_STAGE_THREADS threads once it has been found
 * still busy with the previous set (encoding is the slower side: CSV) and
 * for the last set (parsing is over); with one while parsing is the slower
 * side (NDJSON), so that the parser keeps a core to itself.
 */
int rs_ingest_stage_flush(struct rs_ingest *g, int quarantine, int last, struct rs_err *err)
{
	unsigned nc = g->v->schema.ncols;
	struct rs_col *tmp;
	int rc, busy;

	if (quarantine) {
		if (!g->qcols[0].n)
			return 0;
		if (!g->qtable && (rc = rs_ds_quarantine_table(g->ds, &g->qtable, err)))
			return rc;
		rc = write_run(g->qtable, &g->v->qschema, g->qcols, NULL, 0, g->qcols[0].n, 1,
			       &g->qstaged, err);
		for (unsigned i = 0; i < g->v->qschema.ncols; i++)
			rs_col_reset(&g->qcols[i]);
		return rc;
	}
	busy = g->worker_on && !__atomic_load_n(&g->worker_done, __ATOMIC_ACQUIRE);
	if ((rc = rs_ingest_stage_wait(g, err)))
		return rc;
	if (busy || last)
		g->stage_threads = RS_STAGE_THREADS;	/* for the rest of the segment */
	if (!g->cols[0].n)
		return 0;
	if (!g->spare) {
		g->spare = xcalloc(nc, sizeof(*g->spare));
		for (unsigned i = 0; i < nc; i++)
			rs_col_init(&g->spare[i], g->v->schema.cols[i].type);
	}
	tmp = g->spare;
	g->spare = g->cols;
	g->cols = tmp;
	g->worker_done = 0;
	if (pthread_create(&g->worker, NULL, worker_main, g) != 0)
		return write_sorted(g, g->spare, &g->staged, err);	/* no thread: do it here */
	g->worker_on = 1;
	return 0;
}
