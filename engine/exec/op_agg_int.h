/*
 * op_agg_int.h - the hash aggregation operator's state (op_agg.c) and its
 * paths over dictionary codes (op_agg_dict.c).
 */
#ifndef RS_EXEC_OP_AGG_INT_H
#define RS_EXEC_OP_AGG_INT_H

#include "agg_int.h"
#include "par_int.h"

struct agg {
	struct rs_op op;
	struct rs_op *child;
	struct rs_expr **keys;
	unsigned nkeys;
	struct rs_agg_spec *aggs;
	unsigned naggs;
	struct rs_keyset ks;
	uint8_t **states;	/* per aggregate */
	uint8_t **seen;		/* per Nullable aggregate: group saw a non-NULL value */
	size_t cap, ngroups;
	uint64_t *h;
	uint32_t *gid, *sel;
	struct rs_vec *kv, *av;
	struct rs_col *res;
	int done;
	struct rs_op *emit;
	int64_t mem;
	int par_tried;
	volatile int *stop;		/* worker: set by the main thread to give up */
	/* dictionary keys (rs_agg_dict_keys) */
	uint32_t *ctmp, *dlist, *dids, *cmap;
	size_t tmp_cap, cmap_cap;
	struct rs_col *dk;
	/* arguments over one dictionary column (rs_agg_dict_arg) */
	int **acol;			/* per aggregate, per argument: column or -1 */
	struct rs_col **atmp;		/* per aggregate, per argument: gathered result */
	struct rs_col *dview;		/* child columns with one dictionary in place */
	int count_only;			/* only count() without keys */
	/* uniq over a dictionary (rs_agg_uniq_rowh): per entry, per row hashes */
	uint64_t *dh, *rowh;
	size_t dh_cap, rowh_cap;
	const uint32_t *ucodes;		/* the chunk's codes and dictionary size */
	size_t undict;
	uint32_t *stamp, run;		/* rs_agg_uniq_dedup */
	size_t stamp_cap;
};

/*
 * op_agg_dict.c. Each returns 1 when it did the work, 0 when it does not
 * apply (the caller takes the row path), <0 on error.
 */
/* Group ids from the keys' dictionary codes (a->gid, a->ngroups). */
int rs_agg_dict_keys(struct agg *a, struct rs_chunk *in, size_t n);
/* Argument k of aggregate i evaluated once per dictionary entry. */
int rs_agg_dict_arg(struct agg *a, unsigned i, unsigned k, struct rs_chunk *in,
		    struct rs_vec *out);
/* uniq/uniqExact whose argument k can be hashed per dictionary entry. */
int rs_agg_uniq_by_dict(const struct rs_agg *g, unsigned k);
/* Per-row value hashes of aggregate i's argument into a->rowh. */
int rs_agg_uniq_rowh(struct agg *a, unsigned i, struct rs_chunk *in);
/* After rs_agg_uniq_rowh: rows worth adding, in a->sel; how many. */
size_t rs_agg_uniq_dedup(struct agg *a, size_t n);

#endif
