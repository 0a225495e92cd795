/*
 * mv.c - materialized views (pipes.h). A pipe whose node has TYPE
 * materialized and DATASOURCE <target> reads a source data source (the
 * first data source named after FROM in its nodes). Each commit into the
 * source runs the pipe over just the new parts and appends the result to
 * the target through a normal ingestion, so sorting, partitions, the ops
 * log and further views of the target all follow.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/err.h"
#include "../base/util.h"
#include "../catalog/datafile.h"
#include "../ingest/ingest.h"
#include "pipes_int.h"

#define MV_MAX_DEPTH 8	/* a view feeding a view feeding ... */

static __thread int depth;

/* The first data source after a FROM or JOIN, in node order, that is not a
 * node of the pipe. */
static int source_of(struct rs_catalog *c, struct rs_ws *ws, const struct rs_pipe_def *pd,
		     char *out, size_t outsz)
{
	for (unsigned i = 0; i < pd->nnodes; i++) {
		const char *p = pd->nodes[i].sql;
		while ((p = strcasestr(p, "FROM"))) {
			const char *q = p + 4;
			size_t n = 0;
			int word = (p == pd->nodes[i].sql || !isalnum((unsigned char)p[-1])) &&
				   isspace((unsigned char)*q);
			p = q;
			if (!word)
				continue;
			while (isspace((unsigned char)*q))
				q++;
			while ((isalnum((unsigned char)q[n]) || q[n] == '_') && n + 1 < outsz)
				n++;
			if (!n)
				continue;
			memcpy(out, q, n);
			out[n] = 0;
			unsigned k;
			for (k = 0; k < pd->nnodes && strcmp(pd->nodes[k].name, out); k++)
				;
			if (k < pd->nnodes)
				continue;	/* an earlier node */
			struct rs_ds *d = rs_ds_get(c, ws, out);
			if (d) {
				rs_ds_unref(c, d);
				return 0;
			}
		}
	}
	return -ENOENT;
}

static const struct rs_pipe_node *mv_node(const struct rs_pipe_def *pd)
{
	for (unsigned i = 0; i < pd->nnodes; i++)
		if (pd->nodes[i].type == RS_NODE_MATERIALIZED)
			return &pd->nodes[i];
	return NULL;
}

/* Run the view (over only_snap when given) and append to its target. */
static int run_view(struct rs_catalog *c, struct rs_ws *ws, const char *name, const char *text,
		    size_t len, const char *source, struct rs_snapshot *only_snap,
		    const char *user, struct rs_err *err)
{
	struct rs_pipe_def pd;
	const struct rs_pipe_node *node;
	struct rs_pipe_req req = {
		.cat = c, .ws = ws, .name = name, .text = text, .len = len,
		.only_table = only_snap ? source : NULL, .only_snap = only_snap,
		.node_type = RS_NODE_MATERIALIZED,
	};
	struct rs_pq *pq = NULL;
	struct rs_ds *target;
	struct rs_ingest *g;
	const struct rs_col *cols;
	size_t n;
	int rc;

	if ((rc = rs_pipe_parse(text, len, &pd, err)))
		return rc;
	node = mv_node(&pd);
	target = node && node->datasource ? rs_ds_get(c, ws, node->datasource) : NULL;
	if (!target) {
		rc = rs_errf(err, -ENOENT, "materialized pipe '%s': no data source '%s'", name,
			     node && node->datasource ? node->datasource : "");
		rs_pipe_def_release(&pd);
		return rc;
	}
	rs_pipe_def_release(&pd);
	if ((rc = rs_pipe_open(&req, &pq, err))) {
		rs_ds_unref(c, target);
		return rc;
	}
	g = rs_ingest_new(c, target, RS_IN_CSV, 0, user);
	while ((rc = rs_query_next(rs_pq_query(pq), &cols, &n, err)) > 0)
		if ((rc = rs_ingest_add_cols(g, rs_query_schema(rs_pq_query(pq)), cols, n, err)))
			break;
	rs_pq_close(pq);
	if (!rc)
		rc = rs_ingest_commit(g, NULL, err);
	rs_ingest_free(g);
	rs_ds_unref(c, target);
	return rc;
}

/* Every materialized pipe of ws, with its text: callback per pipe. */
static void each_view(struct rs_catalog *c, struct rs_ws *ws,
		      void (*fn)(void *ctx, const char *name, const char *text, size_t len,
				 const struct rs_pipe_def *pd),
		      void *ctx)
{
	static const char *const folders[] = { "materializations", "pipes", "endpoints", "copies" };
	char dir[PATH_MAX], file[PATH_MAX + 260];

	for (unsigned f = 0; f < 4; f++) {
		DIR *dh;
		struct dirent *e;
		if (rs_ws_files_dir(ws, folders[f], dir, sizeof(dir)) || !(dh = opendir(dir)))
			continue;
		while ((e = readdir(dh))) {
			size_t l = strlen(e->d_name);
			char *text = NULL, name[256];
			size_t len;
			struct rs_pipe_def pd;
			if (l <= 5 || strcmp(e->d_name + l - 5, ".pipe") || e->d_name[0] == '.' ||
			    l - 5 >= sizeof(name))
				continue;
			snprintf(file, sizeof(file), "%s/%s", dir, e->d_name);
			if (rs_read_file(file, &text, &len))
				continue;
			memcpy(name, e->d_name, l - 5);
			name[l - 5] = 0;
			if (rs_pipe_parse(text, len, &pd, NULL) == 0) {
				if (mv_node(&pd))
					fn(ctx, name, text, len, &pd);
				rs_pipe_def_release(&pd);
			}
			free(text);
		}
		closedir(dh);
	}
}

struct commit_ctx {
	struct rs_catalog *c;
	struct rs_ds *ds;
	struct rs_snapshot *snap;
	const char *user;
};

static void on_view(void *ctx, const char *name, const char *text, size_t len,
		    const struct rs_pipe_def *pd)
{
	struct commit_ctx *cc = ctx;
	char source[256];
	struct rs_err err = { 0 };

	if (source_of(cc->c, cc->ds->ws, pd, source, sizeof(source)) ||
	    strcmp(source, cc->ds->name))
		return;
	if (run_view(cc->c, cc->ds->ws, name, text, len, source, cc->snap, cc->user, &err))
		fprintf(stderr, "roost: materialized pipe '%s' of '%s' failed: %s\n", name,
			cc->ds->ws->name, err.msg);
}

void rs_mv_on_commit(struct rs_catalog *c, struct rs_ds *ds, struct rs_part **parts, unsigned n,
		     const char *user)
{
	struct commit_ctx cc = { c, ds, NULL, user };
	struct rs_snapshot *s;

	if (depth >= MV_MAX_DEPTH)
		return;
	/* a snapshot of just the new parts */
	s = xcalloc(1, sizeof(*s));
	s->parts = xcalloc(n ? n : 1, sizeof(*s->parts));
	s->refs = 1;
	for (unsigned i = 0; i < n; i++) {
		s->parts[s->nparts] = rs_part_ref(parts[i]);
		s->rows += rs_part_rows(parts[i]);
		s->bytes += rs_part_bytes(parts[i]);
		s->nparts++;
	}
	cc.snap = s;
	depth++;
	each_view(c, ds->ws, on_view, &cc);
	depth--;
	rs_snapshot_unref(s);
}

int rs_mv_backfill(struct rs_catalog *c, struct rs_ws *ws, const char *name, const char *text,
		   size_t len, const char *user, struct rs_err *err)
{
	struct rs_pipe_def pd;
	const struct rs_pipe_node *node;
	char source[256];
	struct rs_ds *target;
	int rc, skip = 0;

	if ((rc = rs_pipe_parse(text, len, &pd, err)))
		return rc;
	node = mv_node(&pd);
	if (!node || source_of(c, ws, &pd, source, sizeof(source))) {
		rs_pipe_def_release(&pd);
		return 0;	/* not a view, or its source is not there yet */
	}
	target = node->datasource ? rs_ds_get(c, ws, node->datasource) : NULL;
	if (target) {
		struct rs_dsv *v = rs_ds_version(target);
		skip = v->def.backfill_skip;
		rs_dsv_unref(v);
		rs_ds_unref(c, target);
	}
	rs_pipe_def_release(&pd);
	if (skip)
		return 0;
	depth++;
	rc = run_view(c, ws, name, text, len, source, NULL, user, err);
	depth--;
	return rc;
}
