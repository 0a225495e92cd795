/*
 * parse_window.c - the window of a window function:
 *   OVER ([PARTITION BY e, ...] [ORDER BY e [ASC|DESC] [NULLS FIRST|LAST], ...]
 *         [ROWS|RANGE {bound | BETWEEN bound AND bound}])
 * bound: UNBOUNDED PRECEDING | n PRECEDING | CURRENT ROW | n FOLLOWING |
 * UNBOUNDED FOLLOWING. A lone start bound ends at CURRENT ROW.
 */
#include <errno.h>
#include <stdint.h>

#include "../base/err.h"
#include "ast.h"
#include "lexer.h"
#include "parse_int.h"

static int bound(struct rs_parser *p, enum rs_fbound *b, uint64_t *off)
{
	struct rs_tok *t = ps_peek(p, 0);

	if (ps_accept_kw(p, "UNBOUNDED")) {
		if (ps_accept_kw(p, "PRECEDING"))
			*b = RS_FB_UNB_PREC;
		else if (ps_accept_kw(p, "FOLLOWING"))
			*b = RS_FB_UNB_FOLL;
		else
			return ps_unexpected(p);
		return 0;
	}
	if (ps_accept_kw(p, "CURRENT")) {
		*b = RS_FB_CURRENT;
		return ps_expect_kw(p, "ROW");
	}
	if (t->kind != RS_TK_NUMBER)
		return ps_unexpected(p);
	*off = 0;
	for (size_t i = 0; i < t->len; i++) {
		if (t->s[i] < '0' || t->s[i] > '9' || *off > UINT64_MAX / 10 - 10)
			return rs_errf_at(p->err, -EINVAL, t->line, t->col,
					  "frame offset must be a non-negative integer");
		*off = *off * 10 + (uint64_t)(t->s[i] - '0');
	}
	p->pos++;
	if (ps_accept_kw(p, "PRECEDING"))
		*b = RS_FB_PREC;
	else if (ps_accept_kw(p, "FOLLOWING"))
		*b = RS_FB_FOLL;
	else
		return ps_unexpected(p);
	return 0;
}

static int frame(struct rs_parser *p, struct rs_window *w)
{
	struct rs_tok *t = ps_peek(p, 0);
	int rc;

	w->has_frame = 1;
	w->frame_rows = ps_accept_kw(p, "ROWS");
	if (!w->frame_rows)
		p->pos++;	/* RANGE */
	w->fe = RS_FB_CURRENT;
	if (ps_accept_kw(p, "BETWEEN")) {
		if ((rc = bound(p, &w->fs, &w->fs_off)) || (rc = ps_expect_kw(p, "AND")) ||
		    (rc = bound(p, &w->fe, &w->fe_off)))
			return rc;
	} else if ((rc = bound(p, &w->fs, &w->fs_off))) {
		return rc;
	}
	if (w->fs == RS_FB_UNB_FOLL || w->fe == RS_FB_UNB_PREC || w->fs > w->fe)
		return rs_errf_at(p->err, -EINVAL, t->line, t->col, "invalid window frame");
	return 0;
}

int ps_window(struct rs_parser *p, struct rs_window *w)
{
	struct rs_ast *a;
	int rc;

	if ((rc = ps_expect_op(p, "(")))
		return rc;
	if (ps_accept_kw(p, "PARTITION")) {
		if ((rc = ps_expect_kw(p, "BY")))
			return rc;
		do {
			if ((rc = ps_expr(p, &a)))
				return rc;
			*(struct rs_ast **)rs_arena_push(p->a, &w->part, &w->npart, sizeof(a)) = a;
		} while (ps_accept_op(p, ","));
	}
	if (ps_accept_kw(p, "ORDER")) {
		if ((rc = ps_expect_kw(p, "BY")))
			return rc;
		do {
			struct rs_order *o;

			if ((rc = ps_expr(p, &a)))
				return rc;
			o = rs_arena_push(p->a, &w->order, &w->norder, sizeof(*o));
			o->e = a;
			if ((rc = ps_order_dir(p, o)))
				return rc;
		} while (ps_accept_op(p, ","));
	}
	if ((ps_is_kw(ps_peek(p, 0), "ROWS") || ps_is_kw(ps_peek(p, 0), "RANGE")) &&
	    (rc = frame(p, w)))
		return rc;
	return ps_expect_op(p, ")");
}
