/*
 * datafile_ds.c - .datasource files: keyword dispatch (reference 2.2) and
 * the checks that need the whole file (SCHEMA present, engine keys).
 * The SCHEMA block itself is parsed by datafile_schema.c.
 *
 * How to add a keyword: one line in keys[] below; a plain string value
 * only needs K_SCALAR and the offset of its field in struct rs_ds_def.
 */
#include "datafile.h"
#include "datafile_int.h"

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../base/err.h"

enum kind {
	K_TEXT,		/* DESCRIPTION, FORWARD_QUERY: text, unquoted if inline */
	K_SCALAR,	/* a string field, unquoted */
	K_SCHEMA,
	K_INDEXES,
	K_ENGINE,
	K_VERSION,
	K_SHARED,
	K_BACKFILL,
	K_TOKEN,	/* repeatable, to extra */
	K_INCLUDE,	/* repeatable, to extra */
	K_EXTRA,	/* KAFKA_*, IMPORT_*: once each, to extra */
};

#define F(x) offsetof(struct rs_ds_def, x)

static const struct key {
	const char *kw;
	enum kind kind;
	size_t off;
} keys[] = {
	{ "DESCRIPTION", K_TEXT, F(description) },
	{ "SCHEMA", K_SCHEMA, 0 },
	{ "INDEXES", K_INDEXES, F(indexes) },
	{ "ENGINE", K_ENGINE, F(engine_text) },
	{ "ENGINE_SORTING_KEY", K_SCALAR, F(sorting_key) },
	{ "ENGINE_PARTITION_KEY", K_SCALAR, F(partition_key) },
	{ "ENGINE_PRIMARY_KEY", K_SCALAR, F(primary_key) },
	{ "ENGINE_SAMPLING_KEY", K_SCALAR, F(sampling_key) },
	{ "ENGINE_TTL", K_SCALAR, F(ttl) },
	{ "ENGINE_SETTINGS", K_SCALAR, F(settings) },
	{ "ENGINE_VER", K_SCALAR, F(ver) },
	{ "ENGINE_IS_DELETED", K_SCALAR, F(is_deleted) },
	{ "ENGINE_SIGN", K_SCALAR, F(sign) },
	{ "ENGINE_VERSION", K_SCALAR, F(version_col) },
	{ "ENGINE_SUMMING_COLUMNS", K_SCALAR, F(summing_columns) },
	{ "TAGS", K_SCALAR, F(tags) },
	{ "VERSION", K_VERSION, 0 },
	{ "SHARED_WITH", K_SHARED, 0 },
	{ "FORWARD_QUERY", K_TEXT, F(forward_query) },
	{ "BACKFILL", K_BACKFILL, 0 },
	{ "TOKEN", K_TOKEN, 0 },
	{ "INCLUDE", K_INCLUDE, 0 },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const struct {
	const char *name;
	enum rs_engine_kind kind;
} engines[] = {
	{ "MergeTree", RS_ENGINE_MERGETREE },
	{ "ReplacingMergeTree", RS_ENGINE_REPLACING },
	{ "SummingMergeTree", RS_ENGINE_SUMMING },
	{ "AggregatingMergeTree", RS_ENGINE_AGGREGATING },
	{ "CollapsingMergeTree", RS_ENGINE_COLLAPSING },
	{ "VersionedCollapsingMergeTree", RS_ENGINE_VERSIONED_COLLAPSING },
	{ "Null", RS_ENGINE_NULL },
};

struct pos {
	unsigned line, col;	/* keyword; 0 = not seen */
	unsigned vline, vcol;	/* value */
};

struct ds_state {
	const struct df_file *f;
	struct rs_ds_def *d;
	struct pos at[NKEYS];
	struct df_names extra_names;
	int engine_args;	/* ENGINE value has "(args)" */
};

static const struct key *find_key(const char *kw)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].kw, kw))
			return &keys[i];
	return NULL;
}

static int is_extra(const char *kw)
{
	return (!strncmp(kw, "KAFKA_", 6) && kw[6]) || (!strncmp(kw, "IMPORT_", 7) && kw[7]);
}

static int isws(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int parse_engine(struct ds_state *st, const struct pos *p, struct rs_err *err)
{
	const char *v = st->d->engine_text;
	char shown[80];
	size_t n = 0, i;

	while (v[n] && v[n] != '(' && !isws((unsigned char)v[n]))
		n++;
	for (i = 0; i < sizeof(engines) / sizeof(engines[0]); i++)
		if (df_strcaseeq(v, n, engines[i].name))
			break;
	if (i == sizeof(engines) / sizeof(engines[0]))
		goto bad;
	st->d->engine = engines[i].kind;
	while (isws((unsigned char)v[n]))
		n++;
	if (!v[n])
		return 0;
	if (v[n] != '(' || v[strlen(v) - 1] != ')')
		goto bad;
	for (i = n + 1; isws((unsigned char)v[i]); i++)
		;
	st->engine_args = v[i] != ')';
	return 0;
bad:
	return df_err(err, p->vline, p->vcol, "unknown engine '%s'",
		      df_show(v, strlen(v), shown, sizeof(shown)));
}

static int parse_version(struct ds_state *st, const char *v, const struct pos *p,
			 struct rs_err *err)
{
	char shown[80];
	long long n = 0;
	size_t i;

	for (i = 0; v[i] >= '0' && v[i] <= '9' && n <= INT_MAX; i++)
		n = n * 10 + (v[i] - '0');
	if (!i || v[i] || n > INT_MAX)
		return df_err(err, p->vline, p->vcol, "invalid VERSION '%s'",
			      df_show(v, strlen(v), shown, sizeof(shown)));
	st->d->version = (int)n;
	return 0;
}

/* SHARED_WITH: workspace names, one or more per line, comma separated. */
static int parse_shared(struct ds_state *st, const struct df_entry *e,
			struct rs_err *err)
{
	unsigned cap = 0;

	if (!e->nv)
		return df_err(err, e->line, e->col, "SHARED_WITH needs a value");
	for (unsigned i = 0; i < e->nv; i++) {
		const struct df_line *l = &st->f->l[e->v0 + i];
		size_t a = 0;

		if (l->len && l->s[0] == '#')
			continue;
		while (a < l->len) {
			size_t b = a, x, y;
			char *name;

			while (b < l->len && l->s[b] != ',')
				b++;
			for (x = a; x < b && isws((unsigned char)l->s[x]); x++)
				;
			for (y = b; y > x && isws((unsigned char)l->s[y - 1]); y--)
				;
			if (y - x >= 2 && (l->s[x] == '"' || l->s[x] == '\'') &&
			    l->s[y - 1] == l->s[x]) {
				x++;
				y--;
			}
			a = b + 1;
			if (x == y)
				continue;
			if (df_grow(&st->d->shared_with, &cap, st->d->nshared + 1,
				    sizeof(char *)) ||
			    !(name = df_strndup(l->s + x, y - x)))
				return df_nomem(err);
			st->d->shared_with[st->d->nshared++] = name;
		}
	}
	if (!st->d->nshared)
		return df_err(err, e->line, e->col, "SHARED_WITH needs a value");
	return 0;
}

/* Offset of the last whole word w (case-insensitive, blanks or the range
 * ends around it) in s[0..n), or -1. */
static long last_word(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);

	for (size_t i = n >= wl ? n - wl + 1 : 0; i-- > 0;)
		if ((!i || isws((unsigned char)s[i - 1])) &&
		    (i + wl == n || isws((unsigned char)s[i + wl])) &&
		    df_strcaseeq(s + i, wl, w))
			return (long)i;
	return -1;
}

static int has_text(const char *s, size_t a, size_t b)
{
	for (; a < b; a++)
		if (!isws((unsigned char)s[a]))
			return 1;
	return 0;
}

/* INDEXES: "name expr TYPE type(args) GRANULARITY n" per line. */
static int check_indexes(struct ds_state *st, const struct df_entry *e,
			 struct rs_err *err)
{
	for (unsigned i = 0; i < e->nv; i++) {
		const struct df_line *l = &st->f->l[e->v0 + i];
		const char *s = l->s;
		size_t n = l->len, nm = 0, d, g;
		long t = -1;
		char shown[80];

		if (!n || s[0] == '#')
			continue;
		if (s[n - 1] == ',')
			n--;
		while (n && isws((unsigned char)s[n - 1]))
			n--;
		while (nm < n && !isws((unsigned char)s[nm]))
			nm++;
		for (d = n; d > 0 && s[d - 1] >= '0' && s[d - 1] <= '9'; d--)
			;
		for (g = d; g > 0 && isws((unsigned char)s[g - 1]); g--)
			;
		if (g >= 11 && g < d && d < n && df_strcaseeq(s + g - 11, 11, "GRANULARITY") &&
		    (g == 11 || isws((unsigned char)s[g - 12])))
			t = last_word(s, g - 11, "TYPE");
		if (!df_is_ident(s, nm, 0) || t < 0 || (size_t)t < nm ||
		    !has_text(s, nm, (size_t)t) || !has_text(s, (size_t)t + 4, g - 11))
			return df_err(err, l->line, l->col,
				      "invalid index '%s', expected 'name expr TYPE type GRANULARITY n'",
				      df_show(s, l->len, shown, sizeof(shown)));
	}
	return 0;
}

static int add_extra(struct ds_state *st, const struct df_entry *e, char *v,
		     struct rs_err *err)
{
	return df_kv_add(&st->d->extra, &st->d->nextra, e->kw, v, e->line, err);
}

static int entry(struct ds_state *st, const struct df_entry *e, struct rs_err *err)
{
	static const char *const scopes[] = { "READ", "APPEND", "CREATE", NULL };
	const struct key *k = find_key(e->kw);
	struct rs_ds_def *d = st->d;
	struct pos *p, px;
	char *v = NULL;
	int rc;

	if (!k && !is_extra(e->kw)) {
		if (!strcmp(e->kw, "SETTINGS"))
			return df_err(err, e->line, e->col,
				      "SETTINGS is not a valid option in datasource files, use ENGINE_SETTINGS instead");
		return df_err_keyword(err, e, "datasource");
	}
	p = k ? &st->at[k - keys] : &px;
	if (k && p->line && k->kind != K_TOKEN && k->kind != K_INCLUDE)
		return df_err(err, e->line, e->col, "duplicated %s", e->kw);
	p->line = e->line;
	p->col = e->col;
	df_value_pos(st->f, e, &p->vline, &p->vcol);
	if (!k) {
		if ((rc = df_value(st->f, e, 1, &v, err)) || (rc = add_extra(st, e, v, err)))
			return rc;
		rc = df_names_add(&st->extra_names, d->extra[d->nextra - 1].key);
		if (rc < 0)
			return df_nomem(err);
		return rc ? 0 : df_err(err, e->line, e->col, "duplicated %s", e->kw);
	}
	switch (k->kind) {
	case K_TEXT:
	case K_SCALAR:
	case K_ENGINE:
		if ((rc = df_value(st->f, e, k->kind != K_TEXT || !e->block, &v, err)))
			return rc;
		*(char **)((char *)d + k->off) = v;
		return k->kind == K_ENGINE ? parse_engine(st, p, err) : 0;
	case K_INDEXES:
		if ((rc = check_indexes(st, e, err)))
			return rc;
		return df_value(st->f, e, 0, &d->indexes, err);
	case K_SCHEMA:
		if (!e->nv)
			return df_err(err, e->line, e->col, "SCHEMA needs a value");
		return df_schema_parse(st->f, e, &d->cols, &d->ncols, err);
	case K_VERSION:
		if ((rc = df_value(st->f, e, 1, &v, err)))
			return rc;
		rc = parse_version(st, v, p, err);
		free(v);
		return rc;
	case K_SHARED:
		return parse_shared(st, e, err);
	case K_BACKFILL:
		if ((rc = df_value(st->f, e, 1, &v, err)))
			return rc;
		if (df_strcaseeq(v, strlen(v), "skip"))
			d->backfill_skip = 1;
		else {
			char shown[80];

			rc = df_err(err, p->vline, p->vcol,
				    "invalid BACKFILL value '%s', expected 'skip'",
				    df_show(v, strlen(v), shown, sizeof(shown)));
		}
		free(v);
		return rc;
	case K_TOKEN:
		if ((rc = df_token(st->f, e, scopes, NULL, &v, err)))
			return rc;
		return add_extra(st, e, v, err);
	case K_INCLUDE:
	case K_EXTRA:
		if ((rc = df_value(st->f, e, 1, &v, err)))
			return rc;
		return add_extra(st, e, v, err);
	}
	return 0;
}

static const struct pos *at(const struct ds_state *st, const char *kw)
{
	return &st->at[find_key(kw) - keys];
}

/* A key only some engines take. */
static int only_with(const struct ds_state *st, const char *kw, int ok,
		     const char *engines_text, struct rs_err *err)
{
	const struct pos *p = at(st, kw);

	if (!p->line || ok)
		return 0;
	return df_err(err, p->line, p->col, "%s is only valid with %s", kw, engines_text);
}

/* ENGINE_VER `col` etc. must name a column when they are a plain name. */
static int column_ref(const struct ds_state *st, const char *kw, const char *v,
		      struct rs_err *err)
{
	const struct pos *p = at(st, kw);
	size_t n;

	if (!v)
		return 0;
	n = strlen(v);
	if (n >= 2 && v[0] == '`' && v[n - 1] == '`') {
		v++;
		n -= 2;
	}
	if (!df_is_ident(v, n, 1))
		return 0;
	for (unsigned i = 0; i < st->d->ncols; i++)
		if (strlen(st->d->cols[i].name) == n && !memcmp(st->d->cols[i].name, v, n))
			return 0;
	return df_err(err, p->vline, p->vcol, "%s column '%.*s' is not in SCHEMA", kw,
		      (int)n, v);
}

static int validate(struct ds_state *st, struct rs_err *err)
{
	const struct rs_ds_def *d = st->d;
	enum rs_engine_kind ek = d->engine;
	const struct pos *pe = at(st, "ENGINE");
	int rc;

	if (!at(st, "SCHEMA")->line)
		return df_err(err, 1, 1, "missing SCHEMA");
	if ((rc = only_with(st, "ENGINE_VER", ek == RS_ENGINE_REPLACING,
			    "ReplacingMergeTree", err)) ||
	    (rc = only_with(st, "ENGINE_IS_DELETED", ek == RS_ENGINE_REPLACING,
			    "ReplacingMergeTree", err)) ||
	    (rc = only_with(st, "ENGINE_SIGN",
			    ek == RS_ENGINE_COLLAPSING || ek == RS_ENGINE_VERSIONED_COLLAPSING,
			    "CollapsingMergeTree or VersionedCollapsingMergeTree", err)) ||
	    (rc = only_with(st, "ENGINE_VERSION", ek == RS_ENGINE_VERSIONED_COLLAPSING,
			    "VersionedCollapsingMergeTree", err)) ||
	    (rc = only_with(st, "ENGINE_SUMMING_COLUMNS", ek == RS_ENGINE_SUMMING,
			    "SummingMergeTree", err)))
		return rc;
	if (d->is_deleted && !d->ver) {
		const struct pos *p = at(st, "ENGINE_IS_DELETED");

		return df_err(err, p->line, p->col, "ENGINE_IS_DELETED needs ENGINE_VER");
	}
	if (!st->engine_args) {
		if ((ek == RS_ENGINE_COLLAPSING || ek == RS_ENGINE_VERSIONED_COLLAPSING) &&
		    !d->sign)
			return df_err(err, pe->vline, pe->vcol, "%s needs ENGINE_SIGN",
				      ek == RS_ENGINE_COLLAPSING ? "CollapsingMergeTree" :
				      "VersionedCollapsingMergeTree");
		if (ek == RS_ENGINE_VERSIONED_COLLAPSING && !d->version_col)
			return df_err(err, pe->vline, pe->vcol,
				      "VersionedCollapsingMergeTree needs ENGINE_VERSION");
	}
	if ((rc = column_ref(st, "ENGINE_VER", d->ver, err)) ||
	    (rc = column_ref(st, "ENGINE_IS_DELETED", d->is_deleted, err)) ||
	    (rc = column_ref(st, "ENGINE_SIGN", d->sign, err)) ||
	    (rc = column_ref(st, "ENGINE_VERSION", d->version_col, err)))
		return rc;
	return 0;
}

int rs_ds_parse(const char *text, size_t len, struct rs_ds_def *out, struct rs_err *err)
{
	struct ds_state st;
	struct df_file f;
	int rc;

	memset(out, 0, sizeof(*out));
	out->engine = RS_ENGINE_MERGETREE;
	out->version = -1;
	if ((rc = df_lex(text, len, &f, err)))
		return rc;
	memset(&st, 0, sizeof(st));
	st.f = &f;
	st.d = out;
	for (unsigned i = 0; i < f.n && !rc; i++)
		rc = entry(&st, &f.e[i], err);
	if (!rc)
		rc = validate(&st, err);
	df_names_release(&st.extra_names);
	df_release(&f);
	if (rc)
		rs_ds_def_release(out);
	return rc;
}

void rs_ds_def_release(struct rs_ds_def *d)
{
	if (!d)
		return;
	free(d->description);
	for (unsigned i = 0; i < d->ncols; i++)
		df_column_release(&d->cols[i]);
	free(d->cols);
	free(d->engine_text);
	free(d->sorting_key);
	free(d->partition_key);
	free(d->primary_key);
	free(d->sampling_key);
	free(d->ttl);
	free(d->settings);
	free(d->ver);
	free(d->is_deleted);
	free(d->sign);
	free(d->version_col);
	free(d->summing_columns);
	for (unsigned i = 0; i < d->nshared; i++)
		free(d->shared_with[i]);
	free(d->shared_with);
	free(d->forward_query);
	free(d->tags);
	free(d->indexes);
	df_kv_free(d->extra, d->nextra);
	memset(d, 0, sizeof(*d));
}
