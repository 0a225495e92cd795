/*
 * agg_int.h - aggregate internals shared by agg.c (plain aggregates) and
 * agg_state.c (-State/-Merge: states as String values, and merging).
 */
#ifndef RS_EXEC_AGG_INT_H
#define RS_EXEC_AGG_INT_H

#include "exec.h"

enum { A_COUNT, A_SUM, A_AVG, A_MIN, A_MAX, A_ANY, A_ANYLAST, A_ARGMIN, A_ARGMAX, A_UNIQ,
       A_QEXACT, A_QUANT, A_GROUPARRAY, A_USET, A_NKINDS };

struct slot {		/* one value of any scalar type */
	uint8_t has;
	int64_t i;
	double f;
	char *s;
	size_t len;
};

struct qstate { double *v; size_t n, cap; };

struct uset {		/* uniqExact: set of (group, value hash) */
	uint64_t *k;		/* mix(hash ^ group * C), 0 = empty */
	uint32_t *g;		/* group of each slot */
	uint64_t *recent;	/* direct-mapped cache of keys already in the set */
	size_t cap, n;
};

struct garr {		/* groupArray: all values, chained per group */
	struct rs_col vals;
	uint32_t *next;
	size_t cap;
};

#define ROW(i) (sel ? sel[i] : (uint32_t)(i))
/* ssz: a local copy of a->vt->state_size (stores through the states would
 * otherwise make the compiler reload it for every row) */
#define ST(T, g) ((T *)(states + (size_t)(g) * ssz))

struct hset {		/* uniq -State/-Merge: one group's set of value hashes */
	uint64_t *k;
	size_t n, cap;
};

struct aimpl {
	struct rs_agg_vt vt;
	int kind;
};

int rs_agg_kind(const struct rs_agg *a);
void rs_slot_get(const struct rs_col *c, size_t r, struct slot *s, enum rs_ncls k);
int rs_slot_cmp(const struct slot *x, const struct slot *y, enum rs_ncls k);
int rs_slot_set(struct slot *s, const struct slot *v, enum rs_ncls k);
int rs_slot_out(struct rs_col *out, const struct slot *s, enum rs_ncls k);
int rs_agg_upd(struct rs_agg *a, uint8_t *states, const uint32_t *gid, struct rs_vec *args,
	       const uint32_t *sel, size_t n);
int rs_agg_fin(struct rs_agg *a, uint8_t *states, size_t ng, struct rs_col *out);
void rs_agg_destroy(struct rs_agg *a, uint8_t *states, size_t ng);
/* Class of input value i (the original argument types for -Merge). */
enum rs_ncls rs_agg_cls(const struct rs_agg *a, unsigned i);
/* Hash of row r of the arguments (uniq). */
uint64_t rs_agg_row_hash(const struct rs_agg *a, struct rs_vec *args, size_t r);

/* Add hash h to a group's set (agg_state.c); -ENOMEM. */
int rs_hset_add(struct rs_agg *a, struct hset *s, uint64_t h);

/* agg_fast.c: typed loops (1 = not handled here), the uniqExact set (1 = new
 * value), selection, merging the n states of b into a's (group g -> map[g]) */
int rs_agg_upd_fast(struct rs_agg *a, uint8_t *states, const uint32_t *gid, struct rs_vec *args,
		    const uint32_t *sel, size_t n);
int rs_uset_add(struct rs_agg *a, struct uset *u, uint64_t rowhash, uint32_t g);
/* Prefetch the set slots of n row hashes (groups g[]) about to be added. */
void rs_uset_prefetch(const struct uset *u, const uint64_t *rowhash, const uint32_t *g, size_t n);
#define UNIQ_BATCH 64
double rs_qselect(double *v, size_t n, size_t k);
int rs_agg_merge(struct rs_agg *a, uint8_t *dst, struct rs_agg *b, uint8_t *src,
		 const uint32_t *map, size_t n);

/* agg_state.c: the -State (final writes states) and -Merge (update reads them) variants */
extern const struct aimpl rs_agg_state_impls[A_NKINDS], rs_agg_merge_impls[A_NKINDS];

#endif
