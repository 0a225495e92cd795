/*
 * merge.c - rs_table_merge: k-way merge of sorted parts into one part.
 *
 * Each input keeps one decoded granule (all columns) in memory; a binary
 * heap orders the inputs by their current row (ties: older input first, so
 * the merge is stable). Runs of rows that stay the smallest are handed to
 * the part writer in one call. The table lock is only taken to swap the
 * inputs for the result (rs_table_swap); if a concurrent commit removed an
 * input meanwhile, the result is discarded.
 */
#include "table.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../base/err.h"
#include "../base/util.h"
#include "part_int.h"

struct input {
	struct rs_part *p;
	unsigned idx;		/* position among the inputs: breaks ties */
	unsigned g;		/* granule loaded in cols */
	size_t row, n;		/* next row, rows loaded */
	struct rs_col *cols;
};

struct merge {
	rs_row_cmp_fn cmp;
	void *ctx;
	unsigned ncols;
};

static int before(const struct merge *m, const struct input *a, const struct input *b)
{
	int r = m->cmp(m->ctx, a->cols, a->row, b->cols, b->row);

	return r < 0 || (r == 0 && a->idx < b->idx);
}

static void sift_down(const struct merge *m, struct input **h, unsigned n, unsigned i)
{
	for (;;) {
		unsigned l = 2 * i + 1, r = l + 1, s = i;
		struct input *tmp;

		if (l < n && before(m, h[l], h[s]))
			s = l;
		if (r < n && before(m, h[r], h[s]))
			s = r;
		if (s == i)
			return;
		tmp = h[i];
		h[i] = h[s];
		h[s] = tmp;
		i = s;
	}
}

static int load(const struct merge *m, struct input *in, struct rs_err *err)
{
	int rc;

	for (unsigned c = 0; c < m->ncols; c++) {
		rs_col_reset(&in->cols[c]);
		if ((rc = rs_part_read(in->p, c, in->g, &in->cols[c], err)))
			return rc;
	}
	in->row = 0;
	in->n = rs_part_granule_rows(in->p, in->g);
	return 0;
}

static int same_schema(const struct rs_schema *a, const struct rs_schema *b)
{
	if (a->ncols != b->ncols)
		return 0;
	for (unsigned i = 0; i < a->ncols; i++)
		if (strcmp(a->cols[i].name, b->cols[i].name) ||
		    !rs_type_equal(a->cols[i].type, b->cols[i].type))
			return 0;
	return 1;
}

static int by_rows(const void *a, const void *b)
{
	uint64_t x = rs_part_rows(*(struct rs_part *const *)a);
	uint64_t y = rs_part_rows(*(struct rs_part *const *)b);

	return (x > y) - (x < y);
}

/* Merge ins[0..k) into a new part written by w. */
static int run(const struct merge *m, struct input *ins, unsigned k, struct rs_part_writer *w,
	       struct rs_err *err)
{
	struct input **h = xcalloc(k, sizeof(*h));
	unsigned nh = 0;
	int rc = 0;

	for (unsigned i = 0; i < k && !rc; i++)
		if (rs_part_ngranules(ins[i].p) && !(rc = load(m, &ins[i], err)))
			h[nh++] = &ins[i];
	for (unsigned i = nh / 2; i-- > 0;)
		sift_down(m, h, nh, i);
	while (nh && !rc) {
		struct input *top = h[0], *sec = NULL;
		size_t start = top->row;

		if (nh > 1)
			sec = nh > 2 && before(m, h[2], h[1]) ? h[2] : h[1];
		/* extend the run while top stays ahead of every other input */
		for (top->row++; top->row < top->n && (!sec || before(m, top, sec));)
			top->row++;
		rc = rs_part_writer_add(w, top->cols, start, top->row - start, err);
		if (!rc && top->row == top->n) {
			if (++top->g < rs_part_ngranules(top->p))
				rc = load(m, top, err);
			else
				h[0] = h[--nh];
		}
		if (nh)
			sift_down(m, h, nh, 0);
	}
	free(h);
	return rc;
}

int rs_table_merge(struct rs_table *t, const struct rs_schema *schema, rs_row_cmp_fn cmp,
		   void *ctx, unsigned max_parts, uint64_t min_rows, unsigned fanin,
		   struct rs_err *err)
{
	struct rs_snapshot *s = rs_table_snapshot(t);
	struct rs_part **cand = xcalloc(s->nparts ? s->nparts : 1, sizeof(*cand)), *np = NULL;
	struct rs_part_writer *w = NULL;
	struct input *ins = NULL;
	struct merge m = { cmp, ctx, schema->ncols };
	char dir[PATH_MAX];
	unsigned nc = 0, k = 0;
	int rc = 0;

	if (fanin < 2)
		fanin = 2;
	for (unsigned i = 0; i < s->nparts; i++)
		if (same_schema(rs_part_schema(s->parts[i]), schema))
			cand[nc++] = s->parts[i];
	qsort(cand, nc, sizeof(*cand), by_rows);
	if (s->nparts > max_parts) {
		k = nc;
	} else {
		while (k < nc && rs_part_rows(cand[k]) < min_rows)
			k++;
	}
	k = k < fanin ? k : fanin;
	if (k < 2)
		goto out;
	/* merge inputs in commit order, so rows with equal keys keep the
	 * order in which they arrived (ties go to the lower idx) */
	{
		struct rs_part **ordered = xcalloc(k, sizeof(*ordered));
		unsigned no = 0;
		for (unsigned i = 0; i < s->nparts && no < k; i++)
			for (unsigned j = 0; j < k; j++)
				if (cand[j] == s->parts[i]) {
					ordered[no++] = cand[j];
					break;
				}
		memcpy(cand, ordered, k * sizeof(*cand));
		free(ordered);
	}
	ins = xcalloc(k, sizeof(*ins));
	for (unsigned i = 0; i < k; i++) {
		ins[i].p = cand[i];
		ins[i].idx = i;
		ins[i].cols = xcalloc(schema->ncols ? schema->ncols : 1, sizeof(struct rs_col));
		for (unsigned c = 0; c < schema->ncols; c++)
			rs_col_init(&ins[i].cols[c], rs_part_schema(cand[i])->cols[c].type);
	}
	rs_table_new_part_dir(t, dir, sizeof(dir));
	if ((rc = rs_part_writer_open(dir, schema, &w, err)))
		goto out;
	rc = run(&m, ins, k, w, err);
	if (rc) {
		rs_part_writer_abort(w);
		goto out;
	}
	if ((rc = rs_part_writer_finish(w, err)) || (rc = rs_part_open(dir, &np, err))) {
		rs_rm_rf(dir);
		goto out;
	}
	rc = rs_table_swap(t, cand, k, np, err);
	if (rc <= 0) {
		/* an input left the table meanwhile (or the manifest failed) */
		rs_part_doom(np);
		rs_part_unref(np);
	}
out:
	if (ins) {
		for (unsigned i = 0; i < k; i++) {
			for (unsigned c = 0; c < schema->ncols; c++)
				rs_col_release(&ins[i].cols[c]);
			free(ins[i].cols);
		}
		free(ins);
	}
	free(cand);
	rs_snapshot_unref(s);
	return rc;
}
