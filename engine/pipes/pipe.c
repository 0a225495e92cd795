/*
 * pipe.c - compose a pipe's nodes into one query (pipes.h).
 *
 * Node k of a pipe can read nodes 0..k-1 by name. The endpoint's SQL is
 * run with the earlier nodes it needs (directly or through other nodes)
 * prepended as CTEs:  WITH a AS (<a>), b AS (<b>) <endpoint>  (an endpoint
 * that starts with WITH gets them spliced into its own WITH list).
 */
#include "pipes.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/util.h"
#include "../catalog/datafile.h"
#include "../sql/arena.h"
#include "../sql/ast.h"
#include "../template/template.h"
#include "pipes_int.h"

struct rs_pq {
	struct rs_query *q;
	struct rs_pipe_ctx ctx;
};

struct rs_query *rs_pq_query(struct rs_pq *pq)
{
	return pq->q;
}

void rs_pq_close(struct rs_pq *pq)
{
	if (!pq)
		return;
	rs_query_close(pq->q);
	rs_ws_unref(pq->ctx.cat, pq->ctx.ws);
	rs_snapshot_unref(pq->ctx.only_snap);
	free(pq->ctx.only_table);
	free(pq);
}

/* does sql mention name as a whole word (outside nothing: a cheap scan)? */
static int mentions(const char *sql, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = sql; (p = strstr(p, name)); p += n) {
		int before = p > sql && (isalnum((unsigned char)p[-1]) || p[-1] == '_' ||
					 p[-1] == '.');
		int after = isalnum((unsigned char)p[n]) || p[n] == '_';
		if (!before && !after)
			return 1;
	}
	return 0;
}

/* the text after a leading WITH keyword, or NULL */
static const char *after_with(const char *sql)
{
	const char *p = sql;

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		break;
	}
	if (!strncasecmp(p, "WITH", 4) && isspace((unsigned char)p[4]))
		return p + 5;
	return NULL;
}

static int open_sql(struct rs_catalog *cat, struct rs_ws *ws, const char *sql,
		    const volatile int *cancel, const char *only_table, struct rs_snapshot *only_snap,
		    int org_admin, struct rs_pq **out, struct rs_err *err)
{
	struct rs_pq *pq = xcalloc(1, sizeof(*pq));
	struct rs_query_env env = {
		.resolve = rs_pipe_resolve,
		.release = rs_pipe_release,
		.cancel = cancel,
		.timeout_ms = ws->limits.query_timeout_ms,
		.max_memory = ws->limits.query_memory,
	};
	int rc;

	pq->ctx.cat = cat;
	pq->ctx.ws = ws;
	pq->ctx.org_admin = org_admin;
	if (only_table) {
		pq->ctx.only_table = xstrdup(only_table);
		pq->ctx.only_snap = rs_snapshot_ref(only_snap);
	}
	__atomic_add_fetch(&ws->refs, 1, __ATOMIC_SEQ_CST);
	env.ctx = &pq->ctx;
	rc = rs_query_open(&env, sql, &pq->q, err);
	if (rc) {
		rs_pq_close(pq);
		return rc;
	}
	*out = pq;
	return 0;
}

int rs_sql_open(struct rs_catalog *cat, struct rs_ws *ws, const char *sql,
		const volatile int *cancel, int org_admin, struct rs_pq **out, struct rs_err *err)
{
	return open_sql(cat, ws, sql, cancel, NULL, NULL, org_admin, out, err);
}

static int endpoint_of(const struct rs_pipe_def *pd, int type)
{
	for (unsigned i = 0; i < pd->nnodes; i++)
		if (pd->nodes[i].type == (enum rs_node_type)(type ? type : RS_NODE_ENDPOINT))
			return (int)i;
	return (int)pd->nnodes - 1;
}

/* "unknown table 'x'" -> name the node whose SQL reads x */
static void name_node(struct rs_err *err, const struct rs_pipe_def *pd, char **sql, int ep)
{
	char table[256];
	const char *p = strstr(err->msg, "unknown table '");

	if (!p || sscanf(p, "unknown table '%255[^']'", table) != 1)
		return;
	for (int i = ep; i >= 0; i--)
		if (sql[i] && mentions(sql[i], table)) {
			size_t l = strlen(err->msg);
			snprintf(err->msg + l, sizeof(err->msg) - l, " in node '%s'", pd->nodes[i].name);
			return;
		}
}

int rs_pipe_open(const struct rs_pipe_req *req, struct rs_pq **out, struct rs_err *err)
{
	struct rs_pipe_def pd;
	struct rs_tmpl_param *params = NULL;
	unsigned nparams = 0;
	const char *q = NULL;
	char **sql = NULL;
	char *need = NULL;
	struct rs_buf full = RS_BUF_INIT, tmp = RS_BUF_INIT;
	int rc, ep;

	if ((rc = rs_pipe_parse(req->text, req->len, &pd, err)))
		return rc;
	if (!pd.nnodes) {
		rs_pipe_def_release(&pd);
		return rs_errf(err, -ENOENT, "pipe '%s' has no node", req->name);
	}
	if (req->query && (rc = rs_tmpl_params_parse(req->query, strlen(req->query), &params,
						     &nparams, err)))
		goto out;
	for (unsigned i = 0; i < nparams; i++)
		if (!strcmp(params[i].name, "q"))
			q = params[i].value;
	ep = endpoint_of(&pd, req->node_type);
	sql = xcalloc(pd.nnodes, sizeof(*sql));
	need = xcalloc(pd.nnodes, 1);
	need[ep] = 1;
	/* render the nodes the endpoint needs, from the endpoint backwards */
	for (int i = ep; i >= 0; i--) {
		struct rs_buf b = RS_BUF_INIT;
		if (!need[i])
			continue;
		rc = rs_tmpl_render(pd.nodes[i].sql, strlen(pd.nodes[i].sql), params, nparams, &b,
				    err);
		if (rc) {
			rs_buf_release(&b);
			goto out;
		}
		sql[i] = rs_buf_detach(&b, NULL);
		for (int j = 0; j < i; j++)
			if (!need[j] && mentions(sql[i], pd.nodes[j].name))
				need[j] = 1;
	}
	{
		const char *rest = after_with(sql[ep]);
		int first = 1;
		for (int j = 0; j < ep; j++) {
			if (!need[j])
				continue;
			rs_buf_printf(&full, "%s%s AS (\n%s\n)", first ? "WITH " : ",\n", pd.nodes[j].name,
				      sql[j]);
			first = 0;
		}
		if (first)
			rs_buf_adds(&full, sql[ep]);
		else if (rest)
			rs_buf_printf(&full, ",\n%s", rest);
		else
			rs_buf_printf(&full, "\n%s", sql[ep]);
	}
	if (q) {
		const char *rest = after_with(q);
		rs_buf_printf(&tmp, "WITH _ AS (\n%s\n)%s%s", full.data, rest ? ",\n" : "\n",
			      rest ? rest : q);
		rs_buf_release(&full);
		full = tmp;
		tmp = (struct rs_buf)RS_BUF_INIT;
	}
	rc = open_sql(req->cat, req->ws, full.data, req->cancel, req->only_table, req->only_snap,
		      req->org_admin, out, err);
	if (rc == -EINVAL && err)
		name_node(err, &pd, sql, ep);
out:
	if (sql)
		for (unsigned i = 0; i < pd.nnodes; i++)
			free(sql[i]);
	free(sql);
	free(need);
	free(params);
	rs_buf_release(&full);
	rs_buf_release(&tmp);
	rs_pipe_def_release(&pd);
	return rc;
}

int rs_pipe_validate(const char *text, size_t len, struct rs_err *err)
{
	struct rs_pipe_def pd;
	int rc;

	if ((rc = rs_pipe_parse(text, len, &pd, err)))
		return rc;
	for (unsigned i = 0; i < pd.nnodes && !rc; i++) {
		const struct rs_pipe_node *n = &pd.nodes[i];
		struct rs_err e = { 0 };
		struct rs_buf b = RS_BUF_INIT;
		struct rs_tmpl_opts opts = { .flags = RS_TMPL_ANALYSIS };
		size_t sl = strlen(n->sql);
		int tmpl = rs_tmpl_is_template(n->sql, sl);

		rc = rs_tmpl_validate(n->sql, sl, &e);
		if (!rc)
			rc = rs_tmpl_render_ex(n->sql, sl, NULL, 0, &b, &opts, &e);
		if (!rc) {
			struct rs_arena a = { 0 };
			struct rs_sel *sel;
			rc = rs_sql_parse(b.data ? b.data : "", &a, &sel, &e);
			rs_arena_release(&a);
		}
		if (rc) {
			/* file line: the SQL block starts at sql_line; a template's
			 * '%' line is dropped before SQL parsing */
			unsigned line = e.line ? n->sql_line + e.line - 1 + (tmpl ? 1 : 0) : 0;
			if (line)
				rs_errf_at(err, rc, line, e.col, "node '%s', line %u: %s", n->name, line,
					   e.msg);
			else
				rs_errf(err, rc, "node '%s': %s", n->name, e.msg);
		}
		rs_buf_release(&b);
	}
	rs_pipe_def_release(&pd);
	return rc;
}
