/*
 * analyze.c - static walks over a parsed template: the reserved parameter
 * names check, and the list of parameters a template uses (for docs and
 * OpenAPI, as Tinybird's analysis does).
 */
#include "tmpl_int.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define MAX_WALK_DEPTH 400

struct pinfo {
	const char *name, *type, *def, *desc, *example;
	int required, weak;	/* weak: only seen bare or in defined() */
};

struct walk {
	struct rs_tmpl_arena *a;
	struct rs_err *err;
	const char **assigned;	/* names bound by set / for */
	unsigned nassigned, capassigned;
	struct pinfo *ps;
	unsigned np, capp;
	int reserved_only;
};

static int assigned(struct walk *w, const char *name)
{
	for (unsigned i = 0; i < w->nassigned; i++)
		if (!strcmp(w->assigned[i], name))
			return 1;
	return 0;
}

static int collect_assigned(struct walk *w, const struct rs_tn *n)
{
	int rc;

	for (; n; n = n->next) {
		for (unsigned i = 0; i < n->ntargets; i++) {
			if (w->nassigned == w->capassigned) {
				unsigned cap = w->capassigned ? 2 * w->capassigned : 16;
				const char **v = rs_tmpl_alloc(w->a, cap * sizeof(*v));

				if (!v)
					return -ENOMEM;
				if (w->nassigned)
					memcpy(v, w->assigned, w->nassigned * sizeof(*v));
				w->assigned = v;
				w->capassigned = cap;
			}
			w->assigned[w->nassigned++] = n->targets[i];
		}
		for (unsigned i = 0; i < n->ncond; i++)
			if ((rc = collect_assigned(w, n->bodies[i])))
				return rc;
		if ((rc = collect_assigned(w, n->body)) || (rc = collect_assigned(w, n->els)))
			return rc;
	}
	return 0;
}

/* Literal text of a constant argument, or NULL. */
static const char *literal(struct walk *w, const struct rs_tx *x)
{
	struct rs_tctx c = { .a = w->a, .err = &(struct rs_err){ 0 } };
	struct rs_buf b = RS_BUF_INIT;
	const char *s = NULL;

	if (!x || x->kind != TX_CONST)
		return NULL;
	if (!rs_tmpl_to_str(&c, x->val, &b))
		s = rs_tmpl_strndup(w->a, b.data ? b.data : "", b.len);
	rs_buf_release(&b);
	return s;
}

static const struct rs_tx *argx(const struct rs_tx *x, int pos, const char *kw)
{
	int k = 0;

	for (unsigned i = 0; i < x->nkids; i++) {
		if (x->kw && x->kw[i]) {
			if (kw && !strcmp(x->kw[i], kw))
				return x->kids[i];
		} else if (k++ == pos) {
			return x->kids[i];
		}
	}
	return NULL;
}

static int use(struct walk *w, const char *name, const struct rs_tx *call, unsigned line)
{
	struct pinfo *p = NULL;

	if (assigned(w, name))
		return 0;
	if (!strcmp(name, "format") || !strcmp(name, "q"))
		return rs_errf_at(w->err, -EINVAL, line, 0,
				  "Template Syntax Error: '%s' is a reserved parameter name and cannot be used in a pipe. Please use a different name",
				  name);
	if (w->reserved_only)
		return 0;
	for (unsigned i = 0; i < w->np; i++)
		if (!strcmp(w->ps[i].name, name))
			p = &w->ps[i];
	if (p && (!p->weak || !call || !rs_tmpl_is_typed(call->name)))
		return 0;
	if (!p) {
		if (w->np == w->capp) {
			unsigned cap = w->capp ? 2 * w->capp : 16;
			struct pinfo *v = rs_tmpl_alloc(w->a, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			if (w->np)
				memcpy(v, w->ps, w->np * sizeof(*v));
			w->ps = v;
			w->capp = cap;
		}
		p = &w->ps[w->np++];
		memset(p, 0, sizeof(*p));
		p->name = name;
		p->type = "String";
		p->weak = 1;
	}
	if (!call || !rs_tmpl_is_typed(call->name))
		return 0;
	p->weak = 0;
	p->type = call->name;
	if (!strcmp(call->name, "Array")) {
		const char *et = literal(w, argx(call, 1, "type"));
		size_t n = strlen(et ? et : "String") + 8;
		char *t = rs_tmpl_alloc(w->a, n);

		if (!t)
			return -ENOMEM;
		snprintf(t, n, "Array(%s)", et ? et : "String");
		p->type = t;
		p->def = literal(w, argx(call, 2, "default"));
	} else {
		p->def = literal(w, argx(call, 1, "default"));
	}
	p->desc = literal(w, argx(call, -1, "description"));
	p->example = literal(w, argx(call, -1, "example"));
	const struct rs_tx *req = argx(call, -1, "required");
	p->required = req && req->kind == TX_CONST && rs_tmpl_truthy(req->val);
	return 0;
}

static int walk_x(struct walk *w, const struct rs_tx *x, unsigned depth)
{
	int rc;

	if (!x)
		return 0;
	if (depth > MAX_WALK_DEPTH)
		return rs_errf_at(w->err, -EINVAL, x->line, 0,
				  "Syntax error: expression nested too deeply at line %u", x->line);
	if (x->kind == TX_NAME)
		return use(w, x->name, NULL, x->line);
	if (x->kind == TX_CALL && x->nkids && !(x->kw && x->kw[0]) && x->kids[0]->kind == TX_NAME &&
	    (rs_tmpl_is_typed(x->name) || !strcmp(x->name, "defined"))) {
		if ((rc = use(w, x->kids[0]->name, x, x->line)))
			return rc;
		for (unsigned i = 1; i < x->nkids; i++)
			if ((rc = walk_x(w, x->kids[i], depth + 1)))
				return rc;
		return 0;
	}
	for (unsigned i = 0; i < x->nkids; i++)
		if ((rc = walk_x(w, x->kids[i], depth + 1)))
			return rc;
	return 0;
}

static int walk_n(struct walk *w, const struct rs_tn *n)
{
	int rc;

	for (; n; n = n->next) {
		if ((rc = walk_x(w, n->expr, 0)))
			return rc;
		for (unsigned i = 0; i < n->ncond; i++)
			if ((rc = walk_x(w, n->conds[i], 0)) || (rc = walk_n(w, n->bodies[i])))
				return rc;
		if ((rc = walk_n(w, n->body)) || (rc = walk_n(w, n->els)))
			return rc;
	}
	return 0;
}

int rs_tmpl_check_reserved(struct rs_tn *tree, struct rs_err *err);

static int run(struct walk *w, struct rs_tn *tree)
{
	int rc = collect_assigned(w, tree);

	if (!rc)
		rc = walk_n(w, tree);
	if (rc == -ENOMEM && !w->err->code)
		rs_errf(w->err, -ENOMEM, "out of memory");
	return rc;
}

int rs_tmpl_check_reserved(struct rs_tn *tree, struct rs_err *err)
{
	struct rs_tmpl_arena a = { 0 };
	struct walk w = { .a = &a, .err = err, .reserved_only = 1 };
	int rc = run(&w, tree);

	rs_tmpl_arena_release(&a);
	return rc;
}

int rs_tmpl_params_list(const char *sql, size_t len, struct rs_tmpl_param_info **out,
			unsigned *n, struct rs_err *err)
{
	struct rs_tmpl_arena a = { 0 };
	struct walk w = { .a = &a, .err = err };
	struct rs_tn *tree = NULL;
	size_t start = 0, total = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!sql || !rs_tmpl_is_template(sql, len))
		return 0;
	/* skip to after the % line, counting lines */
	unsigned line = 1;
	while (start < len && sql[start] != '%')
		line += sql[start++] == '\n';
	while (start < len && sql[start] != '\n')
		start++;
	if (start < len)
		start++, line++;
	rc = rs_tmpl_parse(&a, sql + start, len - start, line, &tree, err);
	if (rc == -ENOMEM && (!err || !err->code))
		rs_errf(err, -ENOMEM, "out of memory");
	if (!rc)
		rc = run(&w, tree);
	if (rc)
		goto out;
	/* one allocation: the array, then the strings */
	total = (w.np ? w.np : 1) * sizeof(**out);
	for (unsigned i = 0; i < w.np; i++) {
		const char *f[] = { w.ps[i].name, w.ps[i].type, w.ps[i].def, w.ps[i].desc, w.ps[i].example };

		for (int k = 0; k < 5; k++)
			total += f[k] ? strlen(f[k]) + 1 : 0;
	}
	struct rs_tmpl_param_info *pi = calloc(1, total);
	if (!pi) {
		rc = rs_errf(err, -ENOMEM, "out of memory");
		goto out;
	}
	char *s = (char *)(pi + (w.np ? w.np : 1));
	for (unsigned i = 0; i < w.np; i++) {
		const char *f[] = { w.ps[i].name, w.ps[i].type, w.ps[i].def, w.ps[i].desc, w.ps[i].example };
		const char **dst[] = { &pi[i].name, &pi[i].type, &pi[i].default_value,
				       &pi[i].description, &pi[i].example };

		for (int k = 0; k < 5; k++) {
			if (!f[k])
				continue;
			size_t l = strlen(f[k]) + 1;

			memcpy(s, f[k], l);
			*dst[k] = s;
			s += l;
		}
		pi[i].required = w.ps[i].required;
	}
	*out = pi;
	*n = w.np;
out:
	rs_tmpl_arena_release(&a);
	return rc;
}
