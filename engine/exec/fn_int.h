/*
 * fn_int.h - shared by the scalar function files (fn_*.c): each defines a
 * table terminated by a NULL name; fn_registry.c looks names up.
 */
#ifndef RS_EXEC_FN_INT_H
#define RS_EXEC_FN_INT_H

#include "../base/util.h"
#include "exec.h"

extern const struct rs_fn rs_fns_ops[];
extern const struct rs_fn rs_fns_date[];
extern const struct rs_fn rs_fns_string[];
extern const struct rs_fn rs_fns_cond[];
extern const struct rs_fn rs_fns_conv[];
extern const struct rs_fn rs_fns_math[];
extern const struct rs_fn rs_fns_array[];
extern const struct rs_fn rs_fns_regex[];

/* -EINVAL "illegal types of arguments (String, UInt8) of function 'plus'" */
int rs_fn_bad_args(struct rs_qctx *q, struct rs_expr *e);
int rs_fn_nomem(struct rs_qctx *q);
enum rs_type_id rs_int_type(int width, int sgn);
/* Comparison operands: a constant string next to a date/number is parsed as that type. */
int rs_cmp_coerce(struct rs_qctx *q, struct rs_expr *e);
/* Constant argument k as a string / uint / double (bind time); -EINVAL if not constant. */
int rs_fn_const_str(struct rs_qctx *q, struct rs_expr *e, unsigned k, const char **s, size_t *len);
int rs_fn_const_f64(struct rs_qctx *q, struct rs_expr *e, unsigned k, double *out);
/* Evaluate lambda 'l' over parameter columns (shallow copies), n rows. */
/* x [NOT] IN values (fn_cond.c) */
int rs_expr_in(struct rs_qctx *q, struct rs_expr *x, const struct rs_col *vals, int neg,
	       struct rs_expr **out);
int rs_lambda_eval(struct rs_qctx *q, struct rs_expr *l, const struct rs_col *params,
		   unsigned nparams, size_t n, struct rs_vec *out);

#endif
