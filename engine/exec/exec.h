/*
 * exec.h - the vectorized executor: chunks, bound expressions, scalar and
 * aggregate function tables, and pull-based operators.
 *
 * A chunk is ncols column vectors of n rows (n <= RS_CHUNK_MAX normally; a
 * join may emit more). An operator's next() returns 1 with *out pointing at
 * a chunk it owns (valid until its next call), 0 at the end, or a negative
 * errno with a message in q->err. Operators are freed top-down by free().
 *
 * Expressions are bound trees (struct rs_expr). Evaluating one over a chunk
 * gives a struct rs_vec: a column plus a flag saying it is constant (row 0
 * stands for every row). Results live in the expression's own buffers and
 * are valid until the next evaluation. Functions see the base types of
 * their arguments: NULL propagation of Nullable arguments is done around
 * them unless the function says it handles NULLs itself.
 */
#ifndef RS_EXEC_EXEC_H
#define RS_EXEC_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "../sql/arena.h"
#include "../types/column.h"
#include "../types/schema.h"

#define RS_CHUNK_MAX 8192

/*
 * Dictionary view of a chunk column (set by scans of String columns whose
 * granule is dictionary-encoded): row i holds dict row codes[i]. A scan
 * leaves cols[j] empty (n = 0) only for columns its consumer declared it
 * reads through the view (op_scan.c, rs_scan_want).
 */
struct rs_dcol {
	const uint32_t *codes;		/* NULL: no view for this column */
	const struct rs_col *dict;
	int whole;	/* the codes of a whole granule: every entry appears, and
			 * entries are numbered by first appearance (our encoder) */
};

struct rs_chunk {
	unsigned ncols;
	struct rs_col *cols;
	size_t n;
	const struct rs_dcol *dcols;	/* NULL or ncols entries */
};

/* Per-query runtime state shared by every operator. */
struct rs_qctx {
	struct rs_err *err;
	const volatile int *cancel;	/* caller's flag, may be NULL */
	uint64_t deadline_ns;		/* 0 = none */
	uint64_t timeout_ms;
	uint64_t mem_limit, mem_used;	/* bytes; limit 0 = none */
	uint64_t rows_read, bytes_read;
	int64_t rows_before_limit;	/* -1 = no LIMIT */
	int64_t now;			/* now() in seconds */
	struct rs_arena *a;
	struct rs_type **types;		/* types made while binding, freed at close */
	unsigned ntypes;
	struct rs_col **consts;		/* values of constant expressions, freed at close */
	unsigned nconsts;
};

/* -ECANCELED when the cancel flag is set, -ETIMEDOUT past the deadline. */
int rs_qctx_check(struct rs_qctx *q);
/* Account delta bytes of materialized memory; -ENOMEM past the limit. */
int rs_qctx_mem(struct rs_qctx *q, int64_t delta);
/* A type owned by the query (freed at close). */
const struct rs_type *rs_qtype(struct rs_qctx *q, enum rs_type_id id);
const struct rs_type *rs_qtype_own(struct rs_qctx *q, struct rs_type *t);
const struct rs_type *rs_qtype_nullable(struct rs_qctx *q, const struct rs_type *t);
const struct rs_type *rs_qtype_array(struct rs_qctx *q, const struct rs_type *elem);
int rs_qtype_parse(struct rs_qctx *q, const char *text, const struct rs_type **out);

struct rs_vec {
	const struct rs_col *c;
	int is_const;
};

static inline size_t rs_vrow(const struct rs_vec *v, size_t i)
{
	return v->is_const ? 0 : i;
}

/* ---- type helpers (vec.c) ---- */

enum rs_ncls {
	RS_NC_INT,	/* signed integers, Date32 */
	RS_NC_UINT,	/* unsigned integers, Bool, Date, DateTime */
	RS_NC_FLOAT,	/* Float32/64, Decimal (as double) */
	RS_NC_STR,	/* String, FixedString */
	RS_NC_OTHER,	/* arrays, UUID, DateTime64, Nothing ... */
};

enum rs_ncls rs_ncls(const struct rs_type *t);	/* of the base type */
int rs_type_is_num(const struct rs_type *t);	/* int, uint, float, not dates */
int rs_type_is_date(const struct rs_type *t);	/* Date, Date32, DateTime */
/* Values of a column as int64/double for rows [0, n) (const: n copies). */
void rs_load_i64(const struct rs_vec *v, size_t n, int64_t *dst);
void rs_load_f64(const struct rs_vec *v, size_t n, double *dst);
int64_t rs_get_i64(const struct rs_col *c, size_t row);
double rs_get_f64(const struct rs_col *c, size_t row);
/* Append n values to out (base type fixed numeric/date): -ENOMEM. */
int rs_store_i64(struct rs_col *out, const int64_t *src, size_t n);
int rs_store_f64(struct rs_col *out, const double *src, size_t n);
/* Smallest common type of a and b (ClickHouse getLeastSupertype), or NULL. */
const struct rs_type *rs_supertype(struct rs_qctx *q, const struct rs_type *a,
				   const struct rs_type *b);
/*
 * Convert n rows of v to type 'to', appending to out. mode 0: errors are
 * -EINVAL "cannot parse 'x' as Int32"; 1: -OrZero; 2: -OrNull (out Nullable).
 */
int rs_cast(struct rs_qctx *q, const struct rs_vec *v, size_t n, const struct rs_type *to,
	    int mode, struct rs_col *out);

/* ---- hashing (hash.c) ---- */

uint64_t rs_hash_bytes(const void *p, size_t n, uint64_t seed);
static inline uint64_t rs_hash_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}
/* h[i] = combine(h[i], hash of row i) (init: h[i] = hash). */
void rs_hash_vec(const struct rs_vec *v, size_t n, uint64_t *h, int init);
uint64_t rs_hash_row(const struct rs_col *c, size_t row);
/* Equality of a[i] and b[j] (same type; NULL equals NULL). */
int rs_row_eq(const struct rs_col *a, size_t i, const struct rs_col *b, size_t j);

/*
 * A set of distinct key tuples, each with a dense id 0, 1, 2 ... in order of
 * first appearance; the keys are kept in nk columns (row id = key id).
 */
struct rs_keyset {
	unsigned nk;
	struct rs_col *keys;		/* nk columns, one row per id */
	/* open addressing, linear probing; a slot is the key's hash >> 32
	 * (its home slot is that & (cap - 1)) << 32 | id + 1; 0 = empty:
	 * one 8-byte load per probe */
	uint64_t *slots;
	size_t cap, n;			/* slots, ids */
	int sealed;			/* rs_keyset_absorb: ids and keys only */
	struct rs_qctx *q;
	int64_t mem;
};

void rs_keyset_init(struct rs_keyset *ks, struct rs_qctx *q, unsigned nk,
		    const struct rs_type **types);
void rs_keyset_release(struct rs_keyset *ks);
/*
 * Ids of rows [0, n) of the key vectors (hashes precomputed in h); new keys
 * get new ids. *nnew counts new ids (may be NULL). -ENOMEM.
 */
int rs_keyset_add(struct rs_keyset *ks, const struct rs_vec *v, size_t n, const uint64_t *h,
		  uint32_t *ids, size_t *nnew);
/* 1 when rs_keyset_add takes v with h = NULL (one plain fixed-width key of
 * 1, 2, 4 or 8 bytes: hashed only where the key changes from row to row). */
int rs_keyset_lazy_hash(const struct rs_keyset *ks, const struct rs_vec *v);
/*
 * Fold 'from' (same key types; h = hashes of its keys) into ks at the end
 * of an aggregation: map[g] = ks's id of from's key g, the keys ks lacks
 * appended in from's order. Probes only, inserts nothing: ks is sealed
 * afterwards (keys and ids stay; add fails with -EINVAL, find finds none).
 */
int rs_keyset_absorb(struct rs_keyset *ks, const struct rs_keyset *from, const uint64_t *h,
		     uint32_t *map);
/* Lookup only: ids[i] = id or UINT32_MAX. */
void rs_keyset_find(const struct rs_keyset *ks, const struct rs_vec *v, size_t n,
		    const uint64_t *h, uint32_t *ids);

/* ---- expressions (expr.c) ---- */

enum rs_xkind {
	RS_X_COL,	/* column *pos of the input chunk */
	RS_X_CONST,	/* cv holds one row */
	RS_X_FUNC,
	RS_X_LAMBDA,	/* nparams; args[0] = body over a chunk of the params */
	RS_X_PARAM,	/* lambda parameter: column 'col' of the lambda chunk */
};

struct rs_expr;
struct rs_fn;

typedef int (*rs_fn_bind_t)(struct rs_qctx *q, struct rs_expr *e);
typedef int (*rs_fn_exec_t)(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *args,
			    size_t n, struct rs_col *out);

enum {
	RS_FN_NULLS = 1,	/* handles Nullable arguments itself */
	RS_FN_NOFOLD = 2,	/* not constant-folded (now, rand) */
	RS_FN_LAMBDA = 4,	/* first argument is a lambda */
};

struct rs_fn {
	const char *name;
	int min_args, max_args;	/* max -1 = any */
	unsigned flags;
	rs_fn_bind_t bind;	/* sets e->type (args are bound) */
	rs_fn_exec_t exec;	/* appends n rows to out (already reset) */
};

struct rs_expr {
	enum rs_xkind kind;
	const struct rs_type *type;
	const unsigned *pos;	/* RS_X_COL: position, fixed once the plan is built */
	unsigned col;		/* RS_X_PARAM */
	struct rs_col cv;	/* RS_X_CONST */
	const struct rs_fn *fn;
	struct rs_expr **args;
	unsigned nargs;
	unsigned nparams;	/* RS_X_LAMBDA */
	void *st;		/* function state from bind (arena or owned) */
	void (*st_free)(void *st);
	const char *name;	/* function name as written (errors) */
	/* evaluation buffers */
	struct rs_col out, res;	/* res: shallow view with Nullable type */
	uint8_t *nulls;
	size_t nulls_cap;
	struct rs_vec *argv;
	const struct rs_type *inner;	/* type the function computes (base) */
	int wrap_null;
	int mode;			/* function-specific flags from bind */
	void *scr[3];			/* scratch buffers (rs_scratch) */
	size_t scr_cap[3];
};

/* Scratch buffer 'slot' (0..2) of at least 'bytes' for e; NULL on ENOMEM. */
void *rs_scratch(struct rs_expr *e, int slot, size_t bytes);

struct rs_expr *rs_expr_new(struct rs_arena *a, enum rs_xkind k);
/* Evaluate over chunk 'in' (n rows). */
int rs_expr_eval(struct rs_qctx *q, struct rs_expr *e, const struct rs_chunk *in,
		 struct rs_vec *out);
void rs_expr_free(struct rs_expr *e);	/* buffers only; nodes are in the arena */
/* Release the values of every constant made by rs_expr_const (query close). */
void rs_qctx_release_consts(struct rs_qctx *q);
/* Bind function 'name' over bound args (NULL propagation, folding). */
int rs_expr_func(struct rs_qctx *q, const char *name, struct rs_expr **args, unsigned nargs,
		 struct rs_expr **out);
/* Make a constant from row 'row' of c. */
struct rs_expr *rs_expr_const(struct rs_qctx *q, const struct rs_col *c, size_t row);
/* Truth of row i of a UInt8/Bool/Nullable vector (NULL = false). */
static inline int rs_vtrue(const struct rs_vec *v, size_t i)
{
	size_t r = rs_vrow(v, i);

	if (v->c->nulls && v->c->nulls[r])
		return 0;
	return v->c->width == 1 ? v->c->data[r] != 0 : rs_get_f64(v->c, r) != 0;
}

const struct rs_fn *rs_fn_find(const char *name);
int rs_fn_is_agg(const char *name);	/* aggregate function name (combinators too) */

/* ---- aggregate functions (agg.c) ---- */

struct rs_agg;

struct rs_agg_vt {
	size_t state_size;
	/* update states[gid[r]] for rows r in sel[0..n) (sel NULL: 0..n) */
	int (*update)(struct rs_agg *a, uint8_t *states, const uint32_t *gid,
		      struct rs_vec *args, const uint32_t *sel, size_t n);
	/* append ngroups results to out */
	int (*final)(struct rs_agg *a, uint8_t *states, size_t ngroups, struct rs_col *out);
	void (*destroy)(struct rs_agg *a, uint8_t *states, size_t ngroups);	/* may be NULL */
};

struct rs_agg {
	const struct rs_agg_vt *vt;
	struct rs_qctx *q;
	const struct rs_type *type;		/* result */
	const struct rs_type **atypes;		/* argument types */
	unsigned nargs;
	double param;				/* quantile level */
	int is_if;				/* -If: last argument is the condition */
	int comb;				/* 1 -State (results are states), 2 -Merge
						 * (the one argument holds states) */
	unsigned ninner;			/* -Merge: argument types of the states */
	int nullable;				/* Nullable argument: type is Nullable(T), NULL
						 * for groups that saw no value (op_agg) */
	void *ext;				/* per-aggregate shared data (uniqExact set) */
	int64_t mem;
	const uint64_t *rowh;			/* uniq: value hashes of this chunk's rows,
						 * per row (from a dictionary), or NULL */
	size_t ngroups;				/* groups so far, when the caller knows (else 0) */
};

/*
 * Resolve aggregate 'name' (with -If combinator, count(DISTINCT)) over
 * argument types; params are the parametric constants. -EINVAL with a
 * message for unknown functions or bad arguments.
 */
int rs_agg_bind(struct rs_qctx *q, const char *name, int distinct, const struct rs_type **at,
		unsigned nargs, const double *params, unsigned nparams, struct rs_agg *out);

/* ---- operators ---- */

struct rs_op;

struct rs_op_vt {
	int (*next)(struct rs_op *op, struct rs_chunk **out);
	void (*free)(struct rs_op *op);
};

struct rs_op {
	const struct rs_op_vt *vt;
	struct rs_qctx *q;
	unsigned ncols;
	const struct rs_type **types;	/* output column types */
};

static inline int rs_op_next(struct rs_op *op, struct rs_chunk **out)
{
	return op->vt->next(op, out);
}
static inline void rs_op_free(struct rs_op *op)
{
	if (op)
		op->vt->free(op);
}

/* Chunk helpers (op_util.c). */
void rs_chunk_init(struct rs_chunk *c, unsigned ncols, const struct rs_type **types);
void rs_chunk_release(struct rs_chunk *c);
void rs_chunk_reset(struct rs_chunk *c);
/* Rows sel[0..n) of src appended to dst (same layout). */
int rs_chunk_gather(struct rs_chunk *dst, const struct rs_chunk *src, const uint32_t *sel,
		    size_t n);

struct rs_snapshot;

struct rs_scan_col {
	const char *name;
	const struct rs_type *type;	/* table type */
	const struct rs_col *def;	/* default row or NULL */
};

/*
 * Scan of a snapshot reading ncols columns; pred (bound over the scan's
 * output layout, may be NULL) is applied granule by granule, reading the
 * predicate's columns first (npred of them, the first ones) and the rest
 * only for granules with matching rows; granules whose min/max exclude the
 * range conditions in skip[] are not read at all.
 */
struct rs_skip {
	unsigned col;		/* scan column */
	int op;			/* 0 '=', 1 '<', 2 '<=', 3 '>', 4 '>=' (col op value) */
	struct rs_col val;	/* one row, of the column's base type */
};

struct rs_op *rs_op_scan(struct rs_qctx *q, struct rs_snapshot *snap, struct rs_scan_col *cols,
			 unsigned ncols, unsigned npred, struct rs_expr *pred,
			 struct rs_skip *skip, unsigned nskip);
struct rs_op *rs_op_filter(struct rs_qctx *q, struct rs_op *child, struct rs_expr *pred);
/* Evaluate exprs into a new chunk (ncols = n). */
struct rs_op *rs_op_project(struct rs_qctx *q, struct rs_op *child, struct rs_expr **exprs,
			    unsigned n);
/*
 * Hash aggregation: output = key columns then aggregate results.
 * keys/args are evaluated over the child's chunks.
 */
struct rs_agg_spec {
	struct rs_agg agg;
	struct rs_expr **args;		/* agg.nargs (+1 condition when is_if) */
};
struct rs_op *rs_op_agg(struct rs_qctx *q, struct rs_op *child, struct rs_expr **keys,
			unsigned nkeys, struct rs_agg_spec *aggs, unsigned naggs);
/* Sort by columns keys[] of the child (desc[], nulls_first[]); limit = top N (0 = all). */
struct rs_op *rs_op_sort(struct rs_qctx *q, struct rs_op *child, const unsigned *keys,
			 const int *desc, const int *nulls_first, unsigned nkeys, uint64_t limit);
struct rs_op *rs_op_limit(struct rs_qctx *q, struct rs_op *child, uint64_t limit,
			  uint64_t offset);
/* Keep at most n rows per distinct value of columns by[]. */
struct rs_op *rs_op_limit_by(struct rs_qctx *q, struct rs_op *child, const unsigned *by,
			     unsigned nby, uint64_t n);
/* DISTINCT over the first nkey columns. */
struct rs_op *rs_op_distinct(struct rs_qctx *q, struct rs_op *child, unsigned nkey);
/* Keep the first n columns. */
struct rs_op *rs_op_narrow(struct rs_qctx *q, struct rs_op *child, unsigned n);
/* Concatenate children (same layout; types of the first). */
struct rs_op *rs_op_union(struct rs_qctx *q, struct rs_op **kids, unsigned n);
/* Materialized rows (takes ownership of cols: ncols columns). */
struct rs_op *rs_op_values(struct rs_qctx *q, struct rs_col *cols, unsigned ncols,
			   const struct rs_type **types);
/*
 * Hash join: output = left columns, right columns, then nmerge merged USING
 * keys (RIGHT/FULL): key i is left column merge[i].lcol in rows with a left
 * row, else right column merge[i].rcol, as merge[i].type. lkeys/rkeys are
 * bound over the left/right layouts. kind: RS_J_* of ast.h; any = ANY (not
 * with FULL). Non-matching rows take default values (join_use_nulls = 0).
 */
struct rs_join_merge {
	unsigned lcol, rcol;
	const struct rs_type *type;
};
struct rs_op *rs_op_join(struct rs_qctx *q, struct rs_op *left, struct rs_op *right, int kind,
			 int any, struct rs_expr **lkeys, struct rs_expr **rkeys, unsigned nkeys,
			 const struct rs_join_merge *merge, unsigned nmerge);
/*
 * Window functions over a child sorted by (partition keys, order keys):
 * output = the child's columns, then one column per function. Frames use
 * the bounds of enum rs_fbound (sql/ast.h); RANGE with n PRECEDING/FOLLOWING
 * needs one numeric ORDER BY key (order[0], desc0).
 */
enum rs_wkind {
	RS_W_ROW_NUMBER, RS_W_RANK, RS_W_DENSE_RANK, RS_W_COUNT, RS_W_SUM, RS_W_AVG,
	RS_W_MIN, RS_W_MAX, RS_W_LAG, RS_W_LEAD, RS_W_FIRST, RS_W_LAST,
};

struct rs_wframe {
	int rows;			/* ROWS (1) or RANGE (0) */
	int fs, fe;			/* enum rs_fbound */
	uint64_t fs_off, fe_off;
};

struct rs_wfunc {
	enum rs_wkind kind;
	int has_arg, has_def;
	unsigned arg, def;		/* child columns: value, default (lag/lead) */
	uint64_t off;			/* lag/lead offset */
	const struct rs_type *type;	/* result */
};

struct rs_op *rs_op_window(struct rs_qctx *q, struct rs_op *child, const unsigned *part,
			   unsigned npart, const unsigned *order, unsigned norder, int desc0,
			   const struct rs_wframe *fr, const struct rs_wfunc *f, unsigned nf);

/* ARRAY JOIN: cols[] are array columns of the child expanded in place. */
struct rs_op *rs_op_array_join(struct rs_qctx *q, struct rs_op *child, const unsigned *cols,
			       unsigned ncols, int left);

#endif
