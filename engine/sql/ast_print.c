/*
 * ast_print.c - expressions printed as ClickHouse names result columns, and
 * whole SELECTs printed back as SQL (for tests and error messages).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "ast.h"

static int print_str(const char *s, size_t n, struct rs_buf *out)
{
	int rc = rs_buf_addc(out, '\'');

	for (size_t i = 0; i < n && !rc; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\'' || c == '\\')
			rc = rs_buf_addc(out, '\\') ?: rs_buf_addc(out, (char)c);
		else if (c == '\n')
			rc = rs_buf_adds(out, "\\n");
		else if (c == '\t')
			rc = rs_buf_adds(out, "\\t");
		else if (c == 0)
			rc = rs_buf_adds(out, "\\0");
		else
			rc = rs_buf_addc(out, (char)c);
	}
	return rc ?: rs_buf_addc(out, '\'');
}

static int print_list(struct rs_ast **v, unsigned n, struct rs_buf *out)
{
	int rc = 0;

	for (unsigned i = 0; i < n && !rc; i++) {
		if (i)
			rc = rs_buf_adds(out, ", ");
		rc = rc ?: rs_ast_print(v[i], out);
	}
	return rc;
}

static int all_lits(const struct rs_ast *e)
{
	for (unsigned i = 0; i < e->nargs; i++)
		if (e->args[i]->kind != RS_A_LIT)
			return 0;
	return 1;
}

static int print_ident(const char *s, struct rs_buf *out)
{
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
		      (*p >= '0' && *p <= '9' && p != s)))
			return rs_buf_printf(out, "`%s`", s);
	return rs_buf_adds(out, s);
}

int rs_ast_print(const struct rs_ast *e, struct rs_buf *out)
{
	int rc = 0;

	switch (e->kind) {
	case RS_A_LIT:
		switch (e->lit) {
		case RS_L_NULL: return rs_buf_adds(out, "NULL");
		case RS_L_BOOL: return rs_buf_adds(out, e->u ? "true" : "false");
		case RS_L_UINT: return rs_buf_printf(out, "%s%llu", e->neg ? "-" : "",
						     (unsigned long long)e->u);
		case RS_L_FLOAT: {
			char b[40];

			snprintf(b, sizeof(b), "%.15g", e->f);
			if (strtod(b, NULL) != e->f)
				snprintf(b, sizeof(b), "%.17g", e->f);
			return rs_buf_adds(out, b);
		}
		case RS_L_STR: return print_str(e->s, e->slen, out);
		}
		return 0;
	case RS_A_IDENT:
	case RS_A_STAR:
		for (unsigned i = 0; i < e->nparts && !rc; i++) {
			if (i)
				rc = rs_buf_addc(out, '.');
			rc = rc ?: print_ident(e->parts[i], out);
		}
		if (e->kind == RS_A_STAR)
			rc = rc ?: rs_buf_adds(out, e->nparts ? ".*" : "*");
		return rc;
	case RS_A_LAMBDA:
		rc = rs_buf_adds(out, "lambda(tuple(");
		for (unsigned i = 0; i < e->nparts && !rc; i++)
			rc = rs_buf_printf(out, "%s%s", i ? ", " : "", e->parts[i]);
		rc = rc ?: rs_buf_adds(out, "), ");
		rc = rc ?: rs_ast_print(e->args[0], out);
		return rc ?: rs_buf_addc(out, ')');
	case RS_A_SUBQ:
		rc = rs_buf_addc(out, '(');
		rc = rc ?: rs_sel_print(e->sel, out);
		return rc ?: rs_buf_addc(out, ')');
	case RS_A_FUNC:
		if (!strcmp(e->name, "array") && all_lits(e) && !e->over) {
			rc = rs_buf_addc(out, '[');
			rc = rc ?: print_list(e->args, e->nargs, out);
			return rc ?: rs_buf_addc(out, ']');
		}
		if (!strcmp(e->name, "tuple") && all_lits(e) && e->nargs > 1 && !e->over) {
			rc = rs_buf_addc(out, '(');
			rc = rc ?: print_list(e->args, e->nargs, out);
			return rc ?: rs_buf_addc(out, ')');
		}
		if (e->distinct && !strcmp(e->name, "count"))
			rc = rs_buf_adds(out, "countDistinct");
		else
			rc = rs_buf_adds(out, e->name);
		if (e->has_params) {
			rc = rc ?: rs_buf_addc(out, '(');
			rc = rc ?: print_list(e->params, e->nparams, out);
			rc = rc ?: rs_buf_addc(out, ')');
		}
		rc = rc ?: rs_buf_addc(out, '(');
		if (e->distinct && strcmp(e->name, "count"))
			rc = rc ?: rs_buf_adds(out, "DISTINCT ");
		rc = rc ?: print_list(e->args, e->nargs, out);
		rc = rc ?: rs_buf_addc(out, ')');
		if (e->over) {
			const struct rs_window *w = e->over;

			rc = rc ?: rs_buf_adds(out, " OVER (");
			if (w->npart) {
				rc = rc ?: rs_buf_adds(out, "PARTITION BY ");
				rc = rc ?: print_list(w->part, w->npart, out);
			}
			if (w->norder)
				rc = rc ?: rs_buf_adds(out, w->npart ? " ORDER BY " : "ORDER BY ");
			for (unsigned i = 0; i < w->norder && !rc; i++) {
				rc = rs_buf_adds(out, i ? ", " : "");
				rc = rc ?: rs_ast_print(w->order[i].e, out);
				rc = rc ?: rs_buf_adds(out, w->order[i].desc ? " DESC" : " ASC");
			}
			if (w->has_frame) {
				static const char *bn[] = { "UNBOUNDED PRECEDING", "PRECEDING",
					"CURRENT ROW", "FOLLOWING", "UNBOUNDED FOLLOWING" };

				rc = rc ?: rs_buf_printf(out, "%s%s BETWEEN ",
							 w->npart || w->norder ? " " : "",
							 w->frame_rows ? "ROWS" : "RANGE");
				if (!rc && (w->fs == RS_FB_PREC || w->fs == RS_FB_FOLL))
					rc = rs_buf_printf(out, "%llu ", (unsigned long long)w->fs_off);
				rc = rc ?: rs_buf_printf(out, "%s AND ", bn[w->fs]);
				if (!rc && (w->fe == RS_FB_PREC || w->fe == RS_FB_FOLL))
					rc = rs_buf_printf(out, "%llu ", (unsigned long long)w->fe_off);
				rc = rc ?: rs_buf_adds(out, bn[w->fe]);
			}
			rc = rc ?: rs_buf_addc(out, ')');
		}
		return rc;
	}
	return 0;
}

static int print_alias(const struct rs_ast *e, struct rs_buf *out)
{
	int rc = rs_ast_print(e, out);

	if (!rc && e->alias) {
		rc = rs_buf_adds(out, " AS ");
		rc = rc ?: print_ident(e->alias, out);
	}
	return rc;
}

static int print_order(const struct rs_order *o, unsigned n, struct rs_buf *out)
{
	int rc = 0;

	for (unsigned i = 0; i < n && !rc; i++) {
		rc = rs_buf_adds(out, i ? ", " : "");
		rc = rc ?: rs_ast_print(o[i].e, out);
		rc = rc ?: rs_buf_adds(out, o[i].desc ? " DESC" : " ASC");
		if (o[i].nulls_first >= 0)
			rc = rc ?: rs_buf_adds(out, o[i].nulls_first ? " NULLS FIRST" : " NULLS LAST");
	}
	return rc;
}

static const char *join_name(const struct rs_tref *r)
{
	switch (r->join) {
	case RS_J_LEFT: return r->strict_any ? " ANY LEFT JOIN " : " LEFT JOIN ";
	case RS_J_RIGHT: return r->strict_any ? " ANY RIGHT JOIN " : " RIGHT JOIN ";
	case RS_J_FULL: return r->strict_any ? " ANY FULL JOIN " : " FULL JOIN ";
	case RS_J_CROSS: return " CROSS JOIN ";
	default: return r->strict_any ? " ANY INNER JOIN " : " INNER JOIN ";
	}
}

int rs_sel_print(const struct rs_sel *s, struct rs_buf *out)
{
	int rc = 0;

	for (; s && !rc; s = s->union_all) {
		if (s->nwith)
			rc = rs_buf_adds(out, "WITH ");
		for (unsigned i = 0; i < s->nwith && !rc; i++) {
			rc = rs_buf_adds(out, i ? ", " : "");
			if (s->with[i].sel) {
				rc = rc ?: rs_buf_printf(out, "%s AS (", s->with[i].name);
				rc = rc ?: rs_sel_print(s->with[i].sel, out);
				rc = rc ?: rs_buf_addc(out, ')');
			} else {
				rc = rc ?: rs_ast_print(s->with[i].expr, out);
				rc = rc ?: rs_buf_printf(out, " AS %s", s->with[i].name);
			}
		}
		rc = rc ?: rs_buf_adds(out, s->nwith ? " SELECT " : "SELECT ");
		if (s->distinct)
			rc = rc ?: rs_buf_adds(out, "DISTINCT ");
		for (unsigned i = 0; i < s->ncols && !rc; i++) {
			rc = rs_buf_adds(out, i ? ", " : "");
			rc = rc ?: print_alias(s->cols[i], out);
		}
		for (unsigned i = 0; i < s->nfrom && !rc; i++) {
			const struct rs_tref *r = &s->from[i];

			rc = rs_buf_adds(out, i ? join_name(r) : " FROM ");
			if (r->sub) {
				rc = rc ?: rs_buf_addc(out, '(');
				rc = rc ?: rs_sel_print(r->sub, out);
				rc = rc ?: rs_buf_addc(out, ')');
			} else if (r->func) {
				rc = rc ?: rs_ast_print(r->func, out);
			} else {
				if (r->db)
					rc = rc ?: rs_buf_printf(out, "%s.", r->db);
				rc = rc ?: print_ident(r->name, out);
			}
			if (r->final)
				rc = rc ?: rs_buf_adds(out, " FINAL");
			if (r->alias)
				rc = rc ?: rs_buf_printf(out, " AS %s", r->alias);
			if (r->on) {
				rc = rc ?: rs_buf_adds(out, " ON ");
				rc = rc ?: rs_ast_print(r->on, out);
			}
			for (unsigned j = 0; j < r->nusing && !rc; j++)
				rc = rs_buf_printf(out, "%s%s", j ? ", " : " USING ", r->using[j]);
		}
		if (s->najoin) {
			rc = rc ?: rs_buf_adds(out, s->left_ajoin ? " LEFT ARRAY JOIN " : " ARRAY JOIN ");
			for (unsigned i = 0; i < s->najoin && !rc; i++) {
				rc = rs_buf_adds(out, i ? ", " : "");
				rc = rc ?: print_alias(s->ajoin[i], out);
			}
		}
		if (s->prewhere) {
			rc = rc ?: rs_buf_adds(out, " PREWHERE ");
			rc = rc ?: rs_ast_print(s->prewhere, out);
		}
		if (s->where) {
			rc = rc ?: rs_buf_adds(out, " WHERE ");
			rc = rc ?: rs_ast_print(s->where, out);
		}
		if (s->group_all)
			rc = rc ?: rs_buf_adds(out, " GROUP BY ALL");
		if (s->ngroup) {
			rc = rc ?: rs_buf_adds(out, " GROUP BY ");
			rc = rc ?: print_list(s->group, s->ngroup, out);
		}
		if (s->having) {
			rc = rc ?: rs_buf_adds(out, " HAVING ");
			rc = rc ?: rs_ast_print(s->having, out);
		}
		if (s->norder) {
			rc = rc ?: rs_buf_adds(out, " ORDER BY ");
			rc = rc ?: print_order(s->order, s->norder, out);
		}
		if (s->has_limit_by) {
			rc = rc ?: rs_buf_printf(out, " LIMIT %llu BY ", (unsigned long long)s->limit_by);
			rc = rc ?: print_list(s->by, s->nby, out);
		}
		if (s->has_limit)
			rc = rc ?: rs_buf_printf(out, " LIMIT %llu OFFSET %llu",
						 (unsigned long long)s->limit,
						 (unsigned long long)s->offset);
		if (s->union_all)
			rc = rc ?: rs_buf_adds(out, " UNION ALL ");
	}
	return rc;
}
