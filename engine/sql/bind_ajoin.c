/*
 * bind_ajoin.c - ARRAY JOIN. The clause "[LEFT] ARRAY JOIN a AS x, b AS y"
 * zips its arrays into one operator; each distinct arrayJoin(e) call is an
 * operator of its own (two calls multiply the rows, as in ClickHouse).
 * Element columns are added to the FROM source (they shadow a column of
 * the same name: "ARRAY JOIN arr" makes 'arr' the element); the operators
 * run after FROM, before WHERE, which is then not pushed into the scan.
 */
#include <errno.h>
#include <string.h>

#include "bind_int.h"

static struct src_col *new_col(struct bctx *b, const char *name, const struct rs_type *t)
{
	struct aj_list *l = b->aj;
	struct src_col *c;

	if (!l->room)
		return NULL;
	c = &l->all->cols[l->all->ncols++];
	l->room--;
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->type = t;
	c->aj = 1;
	c->used = 1;
	return c;
}

static struct rs_expr *col_ref(struct bctx *b, struct src_col *c)
{
	struct rs_expr *x = rs_expr_new(b->qc->a, RS_X_COL);

	x->type = c->type;
	x->pos = &c->pos;
	return x;
}

static int add(struct bctx *b, struct aj_group *g, struct rs_expr *arr, const char *name,
	       struct src_col **out)
{
	const struct rs_type *t = rs_type_base(arr->type);
	struct src_col *c;

	if (t->id != RS_T_ARRAY) {
		rs_expr_free(arr);
		return rs_errf(b->qc->err, -EINVAL, "ARRAY JOIN requires an array argument ('%s')",
			       name);
	}
	if (!(c = new_col(b, name, t->sub))) {
		rs_expr_free(arr);
		return rs_errf(b->qc->err, -EINVAL, "too many ARRAY JOIN columns");
	}
	*(struct rs_expr **)rs_arena_push(&b->q->a, &g->arr, &g->n, sizeof(arr)) = arr;
	g->n--;
	*(struct src_col **)rs_arena_push(&b->q->a, &g->cols, &g->n, sizeof(c)) = c;
	if (out)
		*out = c;
	return 0;
}

int rs_bind_ajoin_clause(struct bctx *b, struct rs_sel *s)
{
	struct aj_group *g;
	int rc;

	if (!s->najoin)
		return 0;
	g = rs_arena_push(&b->q->a, &b->aj->g, &b->aj->n, sizeof(*g));
	g->left = s->left_ajoin;
	for (unsigned i = 0; i < s->najoin; i++) {
		struct rs_ast *e = s->ajoin[i];
		struct rs_expr *x;
		const char *name = e->alias;

		if ((rc = rs_bind_expr(b, e, &x)))
			return rc;
		if (!name)
			name = e->kind == RS_A_IDENT ? e->parts[e->nparts - 1] : rs_bind_canon(b, e);
		/* g may have moved if a nested arrayJoin() added a group */
		g = &b->aj->g[b->aj->n - 1];
		if ((rc = add(b, g, x, name, NULL)))
			return rc;
	}
	return 0;
}

int rs_bind_ajoin_fn(struct bctx *b, struct rs_ast *e, struct rs_expr **out)
{
	struct aj_group *g;
	struct rs_expr *x;
	struct src_col *c;
	char *canon;
	int rc;

	if (e->nargs != 1)
		return rs_errf(b->qc->err, -EINVAL, "function 'arrayJoin' takes 1 argument");
	if (!b->aj || b->post || b->nlparams)
		return rs_errf(b->qc->err, -EINVAL,
			       "arrayJoin is only supported over columns of FROM yet");
	canon = rs_bind_canon(b, e);
	for (unsigned i = 0; i < b->aj->n; i++)
		if (b->aj->g[i].canon && !strcmp(b->aj->g[i].canon, canon)) {
			*out = col_ref(b, b->aj->g[i].cols[0]);
			return 0;
		}
	if ((rc = rs_bind_expr(b, e->args[0], &x)))
		return rc;
	g = rs_arena_push(&b->q->a, &b->aj->g, &b->aj->n, sizeof(*g));
	g->canon = canon;
	if ((rc = add(b, g, x, canon, &c)))
		return rc;
	c->aj = 0;	/* reached by its text, not by name */
	c->name = "";
	*out = col_ref(b, c);
	return 0;
}

struct rs_op *rs_build_ajoins(struct bctx *b, struct rs_op *op)
{
	for (unsigned i = 0; i < b->aj->n; i++) {
		struct aj_group *g = &b->aj->g[i];
		unsigned f = op->ncols;
		struct rs_expr **ex = rs_arena_alloc(&b->q->a, (f + g->n) * sizeof(*ex));
		unsigned *pos = rs_arena_alloc(&b->q->a, (f + g->n) * sizeof(*pos));

		for (unsigned k = 0; k < f; k++) {
			pos[k] = k;
			ex[k] = rs_expr_new(b->qc->a, RS_X_COL);
			ex[k]->pos = &pos[k];
			ex[k]->type = op->types[k];
		}
		for (unsigned k = 0; k < g->n; k++) {
			ex[f + k] = g->arr[k];
			pos[f + k] = f + k;
			g->cols[k]->pos = f + k;
		}
		op = rs_op_project(b->qc, op, ex, f + g->n);
		op = rs_op_array_join(b->qc, op, pos + f, g->n, g->left);
		g->arr = NULL;	/* owned by the project now */
	}
	return op;
}

void rs_free_ajoins(struct bctx *b)
{
	for (unsigned i = 0; b->aj && i < b->aj->n; i++)
		if (b->aj->g[i].arr) {
			for (unsigned k = 0; k < b->aj->g[i].n; k++)
				rs_expr_free(b->aj->g[i].arr[k]);
			b->aj->g[i].arr = NULL;
		}
}
