/*
 * op_ajoin.c - ARRAY JOIN: the array columns cols[] of the child are
 * replaced by their elements, one output row per element, the other
 * columns repeated. Arrays of one row must have equal sizes. LEFT ARRAY
 * JOIN keeps rows with empty arrays (one row, elements at their default:
 * zero, or NULL for Nullable elements). Output chunks hold about
 * RS_CHUNK_MAX rows (at least one input row each).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "exec.h"

struct ajoin {
	struct rs_op op;
	struct rs_op *child;
	int *src;		/* per output column: index into cols[] or -1 */
	unsigned *cols;
	unsigned ncols;
	int left;
	struct rs_chunk *in;
	size_t row;
	struct rs_chunk out;
	uint32_t *rep;
	size_t rep_cap;
};

static int push_rep(struct ajoin *j, size_t *k, uint32_t r)
{
	if (*k >= j->rep_cap) {
		size_t cap = j->rep_cap ? j->rep_cap * 2 : RS_CHUNK_MAX;
		uint32_t *p = realloc(j->rep, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		j->rep = p;
		j->rep_cap = cap;
	}
	j->rep[(*k)++] = r;
	return 0;
}

static int ajoin_next(struct rs_op *op, struct rs_chunk **out)
{
	struct ajoin *j = container_of(op, struct ajoin, op);
	struct rs_qctx *q = op->q;
	size_t k = 0;
	int rc;

	for (;;) {
		if (!j->in || j->row >= j->in->n) {
			if ((rc = rs_op_next(j->child, &j->in)) <= 0) {
				j->in = NULL;
				return rc;
			}
			j->row = 0;
		}
		rs_chunk_reset(&j->out);
		k = 0;
		while (j->row < j->in->n && (k == 0 || k < RS_CHUNK_MAX)) {
			size_t r = j->row++, len = 0, nrep;

			for (unsigned a = 0; a < j->ncols; a++) {
				const struct rs_col *c = &j->in->cols[j->cols[a]];
				size_t l = (size_t)(c->offs[r + 1] - c->offs[r]);

				if (a == 0)
					len = l;
				else if (l != len)
					return rs_errf(q->err, -EINVAL,
						       "sizes of ARRAY-JOIN-ed arrays do not match");
			}
			nrep = len ? len : j->left ? 1 : 0;
			for (size_t i = 0; i < nrep; i++)
				if (push_rep(j, &k, (uint32_t)r))
					return rs_errf(q->err, -ENOMEM, "out of memory");
			for (unsigned a = 0; a < j->ncols && nrep; a++) {
				const struct rs_col *c = &j->in->cols[j->cols[a]];
				struct rs_col *d = &j->out.cols[j->cols[a]];

				if (len)
					rc = rs_col_append(d, c->child, c->offs[r], len);
				else if (rs_type_is_nullable(d->type))
					rc = rs_col_push_null(d);
				else
					rc = rs_col_push_zero(d);
				if (rc)
					return rs_errf(q->err, -ENOMEM, "out of memory");
			}
		}
		if (!k)
			continue;
		for (unsigned i = 0; i < op->ncols; i++)
			if (j->src[i] < 0 && rs_col_gather(&j->out.cols[i], &j->in->cols[i], j->rep, k))
				return rs_errf(q->err, -ENOMEM, "out of memory");
		j->out.n = k;
		*out = &j->out;
		return 1;
	}
}

static void ajoin_free(struct rs_op *op)
{
	struct ajoin *j = container_of(op, struct ajoin, op);

	rs_op_free(j->child);
	rs_chunk_release(&j->out);
	free(j->rep);
	free(j->src);
	free(j->cols);
	free(op->types);
	free(j);
}

static const struct rs_op_vt ajoin_vt = { ajoin_next, ajoin_free };

struct rs_op *rs_op_array_join(struct rs_qctx *q, struct rs_op *child, const unsigned *cols,
			       unsigned ncols, int left)
{
	struct ajoin *j = xcalloc(1, sizeof(*j));
	const struct rs_type **types = xcalloc(child->ncols + 1, sizeof(*types));

	j->op.vt = &ajoin_vt;
	j->op.q = q;
	j->op.ncols = child->ncols;
	j->op.types = types;
	j->child = child;
	j->left = left;
	j->ncols = ncols;
	j->cols = xcalloc(ncols + 1, sizeof(*cols));
	memcpy(j->cols, cols, ncols * sizeof(*cols));
	j->src = xcalloc(child->ncols + 1, sizeof(*j->src));
	for (unsigned i = 0; i < child->ncols; i++) {
		types[i] = child->types[i];
		j->src[i] = -1;
	}
	for (unsigned a = 0; a < ncols; a++) {
		j->src[cols[a]] = (int)a;
		types[cols[a]] = rs_type_base(child->types[cols[a]])->sub;
	}
	rs_chunk_init(&j->out, child->ncols, types);
	return &j->op;
}
