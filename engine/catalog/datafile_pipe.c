/*
 * datafile_pipe.c - .pipe files (reference 4.1): pipe keys (DESCRIPTION
 * before the first NODE, TOKEN, TAGS, INCLUDE, VERSION), then NODE sections
 * with their own keys. A node is checked when the next NODE starts or the
 * file ends: it needs SQL, and its TYPE decides which other keys it needs.
 */
#include "datafile.h"
#include "datafile_int.h"

#include <stdlib.h>
#include <string.h>

#include "../base/err.h"

enum nkind {
	N_DESCRIPTION,
	N_SQL,
	N_TYPE,
	N_DATASOURCE,
	N_TARGET,
	N_SCHEDULE,
	N_MODE,
	N_NSLOTS,	/* slots above are single-valued, checked by seen[] */
	N_EXTRA = N_NSLOTS,
};

static const struct {
	const char *kw;
	enum nkind kind;
} nkeys[] = {
	{ "SQL", N_SQL },
	{ "TYPE", N_TYPE },
	{ "DATASOURCE", N_DATASOURCE },
	{ "TARGET_DATASOURCE", N_TARGET },
	{ "COPY_SCHEDULE", N_SCHEDULE },
	{ "COPY_MODE", N_MODE },
	{ "MODE", N_MODE },
	{ "DEPLOYMENT_METHOD", N_EXTRA },
	{ "CACHE", N_EXTRA },
};

static const struct {
	const char *name;
	enum rs_node_type type;
} types[] = {
	{ "endpoint", RS_NODE_ENDPOINT },
	{ "materialized", RS_NODE_MATERIALIZED },
	{ "copy", RS_NODE_COPY },
	{ "sink", RS_NODE_SINK },
};

struct pipe_state {
	const struct df_file *f;
	struct rs_pipe_def *p;
	unsigned ncap;			/* capacity of p->nodes */
	struct df_names node_names;
	unsigned desc_line, tags_line, version_line;	/* pipe keys seen */
	int typed;			/* index of the node with a TYPE, or -1 */
	/* the current node (p->nodes[p->nnodes - 1]) */
	const struct df_entry *node_kw;
	const struct df_entry *seen[N_NSLOTS];
	struct df_names extra_names;
};

static int isws(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static struct rs_pipe_node *cur(struct pipe_state *st)
{
	return st->p->nnodes ? &st->p->nodes[st->p->nnodes - 1] : NULL;
}

static const char *extra_value(const struct rs_pipe_node *n, const char *key)
{
	for (unsigned i = 0; i < n->nextra; i++)
		if (!strcmp(n->extra[i].key, key))
			return n->extra[i].value;
	return NULL;
}

/* Checks of a node that need all its keys. */
static int finish_node(struct pipe_state *st, struct rs_err *err)
{
	struct rs_pipe_node *n = cur(st);
	const struct df_entry *t = st->seen[N_TYPE];

	if (!n)
		return 0;
	df_names_release(&st->extra_names);
	if (!n->sql)
		return df_err(err, st->node_kw->line, st->node_kw->col,
			      "node '%s' has no SQL", n->name);
	if (n->type == RS_NODE_MATERIALIZED && !n->datasource)
		return df_err(err, t->line, t->col, "materialized node '%s' needs DATASOURCE",
			      n->name);
	if (n->type == RS_NODE_COPY && !n->target_datasource)
		return df_err(err, t->line, t->col, "copy node '%s' needs TARGET_DATASOURCE",
			      n->name);
	if (n->type == RS_NODE_SINK && !extra_value(n, "EXPORT_CONNECTION_NAME"))
		return df_err(err, t->line, t->col,
			      "sink node '%s' needs EXPORT_CONNECTION_NAME", n->name);
	if (n->type == RS_NODE_COPY && !n->copy_mode && !(n->copy_mode = df_strndup("append", 6)))
		return df_nomem(err);
	return 0;
}

static int start_node(struct pipe_state *st, const struct df_entry *e,
		      struct rs_err *err)
{
	struct rs_pipe_node *n;
	struct df_word w[2];
	char shown[80];
	int rc;

	if ((rc = finish_node(st, err)))
		return rc;
	if (!e->nv || e->block)
		return df_err(err, e->line, e->col, "NODE needs a name");
	if ((rc = df_words(&st->f->l[e->v0], w, 2, err)) < 0)
		return rc;
	if (rc > 1)
		return df_err(err, e->line, w[1].col, "unexpected '%s' after the node name",
			      df_show(w[1].s, w[1].len, shown, sizeof(shown)));
	if (!df_is_ident(w[0].s, w[0].len, 0))
		return df_err(err, e->line, w[0].col, "invalid node name '%s'",
			      df_show(w[0].s, w[0].len, shown, sizeof(shown)));
	if (df_grow(&st->p->nodes, &st->ncap, st->p->nnodes + 1, sizeof(*n)))
		return df_nomem(err);
	n = &st->p->nodes[st->p->nnodes++];
	memset(n, 0, sizeof(*n));
	n->line = e->line;
	if (!(n->name = df_strndup(w[0].s, w[0].len)))
		return df_nomem(err);
	if ((rc = df_names_add(&st->node_names, n->name)) < 0)
		return df_nomem(err);
	if (!rc)
		return df_err(err, e->line, w[0].col, "duplicated node '%s'", n->name);
	st->node_kw = e;
	memset(st->seen, 0, sizeof(st->seen));
	return 0;
}

static int set_type(struct pipe_state *st, struct rs_pipe_node *n,
		    const struct df_entry *e, struct rs_err *err)
{
	unsigned l, c;
	char *v, shown[80];
	size_t i;
	int rc;

	if ((rc = df_value(st->f, e, 1, &v, err)))
		return rc;
	df_value_pos(st->f, e, &l, &c);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (df_strcaseeq(v, strlen(v), types[i].name))
			break;
	if (i == sizeof(types) / sizeof(types[0])) {
		rc = df_err(err, l, c,
			    "invalid TYPE '%s', expected endpoint, materialized, copy or sink",
			    df_show(v, strlen(v), shown, sizeof(shown)));
		free(v);
		return rc;
	}
	free(v);
	if (st->typed >= 0)
		return df_err(err, e->line, e->col,
			      "node '%s' cannot have a TYPE, node '%s' already has one",
			      n->name, st->p->nodes[st->typed].name);
	st->typed = (int)(n - st->p->nodes);
	n->type = types[i].type;
	return 0;
}

static int set_mode(struct pipe_state *st, struct rs_pipe_node *n,
		    const struct df_entry *e, struct rs_err *err)
{
	unsigned l, c;
	char shown[80];
	int rc;

	if ((rc = df_value(st->f, e, 1, &n->copy_mode, err)))
		return rc;
	for (char *s = n->copy_mode; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	if (!strcmp(n->copy_mode, "append") || !strcmp(n->copy_mode, "replace"))
		return 0;
	df_value_pos(st->f, e, &l, &c);
	return df_err(err, l, c, "invalid %s '%s', expected append or replace", e->kw,
		      df_show(n->copy_mode, strlen(n->copy_mode), shown, sizeof(shown)));
}

/* 5 cron fields, @on-demand, @once, or a cron macro. */
static int valid_schedule(const char *s)
{
	static const char *const macros[] = {
		"@on-demand", "@once", "@hourly", "@daily", "@weekly", "@monthly",
		"@yearly", "@annually", NULL,
	};
	int fields = 0;

	for (int i = 0; macros[i]; i++)
		if (!strcmp(s, macros[i]))
			return 1;
	while (*s) {
		if (isws((unsigned char)*s)) {
			s++;
			continue;
		}
		fields++;
		for (; *s && !isws((unsigned char)*s); s++)
			if (!strchr("0123456789*/,-?", *s) &&
			    !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
				return 0;
	}
	return fields == 5;
}

static int node_key(struct pipe_state *st, const struct df_entry *e, enum nkind k,
		    struct rs_err *err)
{
	struct rs_pipe_node *n = cur(st);
	char *v = NULL, shown[80];
	unsigned l, c;
	int rc;

	if (!n)
		return df_err(err, e->line, e->col, "%s must come after a NODE", e->kw);
	if (k < N_NSLOTS) {
		if (st->seen[k])
			return df_err(err, e->line, e->col, "duplicated %s", e->kw);
		st->seen[k] = e;
	}
	switch (k) {
	case N_DESCRIPTION:
		return df_value(st->f, e, !e->block, &n->description, err);
	case N_SQL:
		if ((rc = df_value(st->f, e, 0, &n->sql, err)))
			return rc;
		df_value_pos(st->f, e, &n->sql_line, &c);
		n->sql_indent = e->block ? e->indent : c - 1;
		return 0;
	case N_TYPE:
		return set_type(st, n, e, err);
	case N_DATASOURCE:
		return df_value(st->f, e, 1, &n->datasource, err);
	case N_TARGET:
		return df_value(st->f, e, 1, &n->target_datasource, err);
	case N_SCHEDULE:
		if ((rc = df_value(st->f, e, 1, &n->copy_schedule, err)))
			return rc;
		if (valid_schedule(n->copy_schedule))
			return 0;
		df_value_pos(st->f, e, &l, &c);
		return df_err(err, l, c,
			      "invalid COPY_SCHEDULE '%s', expected a cron expression or @on-demand",
			      df_show(n->copy_schedule, strlen(n->copy_schedule), shown,
				      sizeof(shown)));
	case N_MODE:
		return set_mode(st, n, e, err);
	case N_EXTRA:
		break;
	}
	if ((rc = df_value(st->f, e, 1, &v, err)) ||
	    (rc = df_kv_add(&n->extra, &n->nextra, e->kw, v, e->line, err)))
		return rc;
	if ((rc = df_names_add(&st->extra_names, n->extra[n->nextra - 1].key)) < 0)
		return df_nomem(err);
	return rc ? 0 : df_err(err, e->line, e->col, "duplicated %s", e->kw);
}

static int pipe_key(struct pipe_state *st, const struct df_entry *e, unsigned *seen,
		    struct rs_err *err)
{
	static const char *const scopes[] = { "READ", NULL };
	char *v;
	int rc;

	if (seen) {
		if (*seen)
			return df_err(err, e->line, e->col, "duplicated %s", e->kw);
		*seen = e->line;
	}
	if (!strcmp(e->kw, "TOKEN"))
		rc = df_token(st->f, e, scopes, "READ", &v, err);
	else
		rc = df_value(st->f, e, 1, &v, err);
	if (rc)
		return rc;
	return df_kv_add(&st->p->extra, &st->p->nextra, e->kw, v, e->line, err);
}

static int entry(struct pipe_state *st, const struct df_entry *e, struct rs_err *err)
{
	const char *kw = e->kw;

	if (!strcmp(kw, "NODE"))
		return start_node(st, e, err);
	if (!strcmp(kw, "DESCRIPTION")) {
		if (cur(st))
			return node_key(st, e, N_DESCRIPTION, err);
		if (st->desc_line)
			return df_err(err, e->line, e->col, "duplicated DESCRIPTION");
		st->desc_line = e->line;
		return df_value(st->f, e, !e->block, &st->p->description, err);
	}
	if (!strcmp(kw, "TOKEN") || !strcmp(kw, "INCLUDE"))
		return pipe_key(st, e, NULL, err);
	if (!strcmp(kw, "TAGS"))
		return pipe_key(st, e, &st->tags_line, err);
	if (!strcmp(kw, "VERSION"))
		return pipe_key(st, e, &st->version_line, err);
	for (size_t i = 0; i < sizeof(nkeys) / sizeof(nkeys[0]); i++)
		if (!strcmp(kw, nkeys[i].kw))
			return node_key(st, e, nkeys[i].kind, err);
	if (df_is_engine_key(kw) || (!strncmp(kw, "EXPORT_", 7) && kw[7]))
		return node_key(st, e, N_EXTRA, err);
	return df_err_keyword(err, e, "pipe");
}

int rs_pipe_parse(const char *text, size_t len, struct rs_pipe_def *out,
		  struct rs_err *err)
{
	struct pipe_state st;
	struct df_file f;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = df_lex(text, len, &f, err)))
		return rc;
	memset(&st, 0, sizeof(st));
	st.f = &f;
	st.p = out;
	st.typed = -1;
	for (unsigned i = 0; i < f.n && !rc; i++)
		rc = entry(&st, &f.e[i], err);
	if (!rc)
		rc = finish_node(&st, err);
	if (!rc && !out->nnodes)
		rc = df_err(err, 1, 1, "missing NODE");
	df_names_release(&st.node_names);
	df_names_release(&st.extra_names);
	df_release(&f);
	if (rc)
		rs_pipe_def_release(out);
	return rc;
}

void rs_pipe_def_release(struct rs_pipe_def *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->nnodes; i++) {
		struct rs_pipe_node *n = &p->nodes[i];

		free(n->name);
		free(n->description);
		free(n->sql);
		free(n->datasource);
		free(n->target_datasource);
		free(n->copy_schedule);
		free(n->copy_mode);
		df_kv_free(n->extra, n->nextra);
	}
	free(p->nodes);
	free(p->description);
	df_kv_free(p->extra, p->nextra);
	memset(p, 0, sizeof(*p));
}
