/*
 * render.c - the entry points: detect a template (`%` line), parse it,
 * walk the node tree writing SQL, and turn what went wrong into
 * Tinybird's message.
 */
#include "tmpl_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Offset just after the `%` line, or 0 if sql is not a template. */
static size_t header_end(const char *sql, size_t len, unsigned *lines)
{
	size_t i = 0;

	*lines = 0;
	for (;;) {
		size_t st = i;

		while (i < len && (sql[i] == ' ' || sql[i] == '\t' || sql[i] == '\r'))
			i++;
		if (i < len && sql[i] == '\n') {	/* blank line */
			i++;
			(*lines)++;
			continue;
		}
		if (i >= len || sql[i] != '%')
			return 0;
		i++;
		while (i < len && (sql[i] == ' ' || sql[i] == '\t' || sql[i] == '\r'))
			i++;
		if (i < len && sql[i] != '\n')
			return 0;
		(void)st;
		(*lines)++;
		return i < len ? i + 1 : i;
	}
}

int rs_tmpl_is_template(const char *sql, size_t len)
{
	unsigned lines;

	return sql && header_end(sql, len, &lines) > 0;
}

enum flow { FLOW_NORMAL, FLOW_BREAK, FLOW_CONTINUE };

static int bind(struct rs_tctx *c, const struct rs_tn *n, struct rs_tv *v)
{
	struct rs_tv **items;
	size_t cnt;
	int rc;

	if (n->ntargets == 1)
		return rs_tmpl_setvar(c, n->targets[0], v);
	enum rs_tv_kind k = rs_tmpl_plain(v)->kind;
	if (k != TV_LIST && k != TV_TUPLE && k != TV_DICT)
		return rs_tmpl_fail(c, "Template Syntax Error: cannot unpack non-iterable %s object",
				    rs_tmpl_type_name(rs_tmpl_plain(v)));
	if ((rc = rs_tmpl_iter(c, v, &items, &cnt)))
		return rc;
	if (cnt != n->ntargets)
		return rs_tmpl_fail(c, "Template Syntax Error: %s values to unpack (expected %u, got %zu)",
				    cnt > n->ntargets ? "too many" : "not enough", n->ntargets, cnt);
	for (unsigned i = 0; i < n->ntargets; i++)
		if ((rc = rs_tmpl_setvar(c, n->targets[i], items[i])))
			return rc;
	return 0;
}

static int walk(struct rs_tctx *c, const struct rs_tn *n, enum flow *flow)
{
	struct rs_tv *v;
	int rc;

	for (; n; n = n->next) {
		c->line = n->line;
		switch (n->kind) {
		case TN_TEXT:
			if (rs_buf_add(c->out, n->text, n->len))
				return rs_tmpl_nomem(c);
			break;
		case TN_EXPR:
			if ((rc = rs_tmpl_eval(c, n->expr, &v)))
				return rc;
			if (v->kind == TV_NONE) {
				c->line = n->line;
				return rs_tmpl_fail(c, "expression \"%.*s\" evaluated to null",
						    (int)(n->len > 200 ? 200 : n->len), n->text);
			}
			if ((rc = rs_tmpl_to_sql(c, v, c->out)))
				return rc == -ENOMEM ? rs_tmpl_nomem(c) : rc;
			break;
		case TN_IF: {
			const struct rs_tn *body = n->els;

			for (unsigned i = 0; i < n->ncond; i++) {
				if ((rc = rs_tmpl_eval(c, n->conds[i], &v)))
					return rc;
				if (rs_tmpl_truthy(v)) {
					body = n->bodies[i];
					break;
				}
			}
			if (body && (rc = walk(c, body, flow)))
				return rc;
			if (*flow != FLOW_NORMAL)
				return 0;
			break;
		}
		case TN_FOR: {
			struct rs_tv **items;
			size_t cnt;

			if ((rc = rs_tmpl_eval(c, n->expr, &v)) || (rc = rs_tmpl_iter(c, v, &items, &cnt)))
				return rc;
			for (size_t i = 0; i < cnt; i++) {
				if (++c->iters > RS_TMPL_MAX_ITERS)
					return rs_tmpl_fail(c, "Template Syntax Error: too many loop iterations (limit %d)",
							    RS_TMPL_MAX_ITERS);
				c->line = n->line;
				if ((rc = bind(c, n, items[i])) || (rc = walk(c, n->body, flow)))
					return rc;
				if (*flow == FLOW_BREAK) {
					*flow = FLOW_NORMAL;
					goto next;	/* no else after break */
				}
				*flow = FLOW_NORMAL;
			}
			if (n->els && (rc = walk(c, n->els, flow)))
				return rc;
			if (*flow != FLOW_NORMAL)
				return 0;
			break;
		}
		case TN_SET:
			if ((rc = rs_tmpl_eval(c, n->expr, &v)) || (rc = bind(c, n, v)))
				return rc;
			break;
		case TN_BREAK:
		case TN_CONTINUE:
			*flow = n->kind == TN_BREAK ? FLOW_BREAK : FLOW_CONTINUE;
			return 0;
		}
next:
		if (c->out->len > RS_TMPL_MAX_OUT)
			return rs_tmpl_fail(c, "Template Syntax Error: the rendered SQL is too large");
	}
	return 0;
}

static void missing_message(struct rs_tctx *c, struct rs_err *err)
{
	char names[400];
	size_t k = 0;

	names[0] = 0;
	for (unsigned i = 0; i < c->nmissing; i++) {
		const char *sep = !i ? "" : i + 1 == c->nmissing ? " and " : ", ";

		k += (size_t)snprintf(names + k, k < sizeof(names) ? sizeof(names) - k : 0, "%s%s", sep,
				      c->missing[i]);
		if (k >= sizeof(names))
			break;
	}
	rs_err_clear(err);
	rs_errf_at(err, -EINVAL, c->line, 0,
		   "Template Syntax Error: Required parameter is not defined. Check the parameters %s. "
		   "Please provide a value or set a default value in the pipe code.", names);
}

int rs_tmpl_check_reserved(struct rs_tn *tree, struct rs_err *err);

static int render(const char *sql, size_t len, const struct rs_tmpl_param *params,
		  unsigned nparams, struct rs_buf *out, struct rs_tmpl_opts *opts,
		  struct rs_err *uerr, int dry)
{
	struct rs_tmpl_arena a = { 0 };
	struct rs_err err = { 0 };
	struct rs_tctx c = { 0 };
	struct rs_tn *tree = NULL;
	enum flow flow = FLOW_NORMAL;
	unsigned lines;
	size_t start = sql ? header_end(sql, len, &lines) : 0;
	int rc;

	if (opts)
		opts->http_status = 0;
	if (!start) {
		if (dry || !len)
			return 0;
		return rs_buf_add(out, sql, len) ? rs_errf(uerr, -ENOMEM, "out of memory") : 0;
	}
	c.a = &a;
	c.params = params;
	c.nparams = params ? nparams : 0;
	c.err = &err;
	c.out = out;
	c.analysis = opts && (opts->flags & RS_TMPL_ANALYSIS);
	rc = rs_tmpl_parse(&a, sql + start, len - start, lines + 1, &tree, &err);
	if (!rc)
		rc = rs_tmpl_check_reserved(tree, &err);
	if (!rc && !dry) {
		rc = walk(&c, tree, &flow);
		if (!rc && flow != FLOW_NORMAL)
			rc = rs_tmpl_fail(&c, "Syntax error: '%s' outside loop",
					  flow == FLOW_BREAK ? "break" : "continue");
		/* a missing parameter is what Tinybird reports first */
		if (c.nmissing) {
			missing_message(&c, &err);
			rc = -EINVAL;
			c.http_status = 400;
		}
	}
	if (rc == -ENOMEM && !err.code)
		rs_errf(&err, -ENOMEM, a.failed ? "Template Syntax Error: the template uses too much memory"
						: "out of memory");
	if (rc && !err.code)
		rs_errf(&err, rc, "Template Syntax Error: invalid template");
	if (rc) {
		if (opts)
			opts->http_status = c.http_status ? c.http_status : 400;
		if (uerr && !uerr->code)
			*uerr = err;
	}
	rs_tmpl_arena_release(&a);
	return rc;
}

int rs_tmpl_render_ex(const char *sql, size_t len, const struct rs_tmpl_param *params,
		      unsigned nparams, struct rs_buf *out, struct rs_tmpl_opts *opts,
		      struct rs_err *err)
{
	return render(sql, len, params, nparams, out, opts, err, 0);
}

int rs_tmpl_render(const char *sql, size_t len, const struct rs_tmpl_param *params,
		   unsigned nparams, struct rs_buf *out, struct rs_err *err)
{
	return render(sql, len, params, nparams, out, NULL, err, 0);
}

int rs_tmpl_validate(const char *sql, size_t len, struct rs_err *err)
{
	return render(sql, len, NULL, 0, NULL, NULL, err, 1);
}
