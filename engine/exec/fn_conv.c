/*
 * fn_conv.c - type conversions: toString, toInt8..toUInt64, toFloat32/64,
 * their -OrZero/-OrNull forms, CAST(x, 'T'), toLowCardinality, toTypeName.
 */
#include <errno.h>
#include <string.h>

#include "../base/buf.h"
#include "fn_int.h"

static const struct { const char *name; enum rs_type_id id; } targets[] = {
	{ "String", RS_T_STRING }, { "Int8", RS_T_INT8 }, { "Int16", RS_T_INT16 },
	{ "Int32", RS_T_INT32 }, { "Int64", RS_T_INT64 }, { "UInt8", RS_T_UINT8 },
	{ "UInt16", RS_T_UINT16 }, { "UInt32", RS_T_UINT32 }, { "UInt64", RS_T_UINT64 },
	{ "Float32", RS_T_FLOAT32 }, { "Float64", RS_T_FLOAT64 }, { "Bool", RS_T_BOOL },
};

static int to_bind(struct rs_qctx *q, struct rs_expr *e)
{
	const char *f = e->fn->name + 2;	/* after "to" */
	size_t len = strlen(f);

	e->mode = 0;
	if (len > 6 && !strcmp(f + len - 6, "OrZero")) {
		e->mode = 1;
		len -= 6;
	} else if (len > 6 && !strcmp(f + len - 6, "OrNull")) {
		e->mode = 2;
		len -= 6;
	}
	for (unsigned i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		if (strlen(targets[i].name) == len && !strncmp(targets[i].name, f, len)) {
			e->type = rs_qtype(q, targets[i].id);
			if (e->mode == 2)
				e->type = rs_qtype_nullable(q, e->type);
			if (e->mode && rs_ncls(e->args[0]->type) != RS_NC_STR)
				return rs_fn_bad_args(q, e);
			if (rs_type_base(e->args[0]->type)->id == RS_T_ARRAY && e->type->id != RS_T_STRING)
				return rs_fn_bad_args(q, e);
			return 0;
		}
	return rs_fn_bad_args(q, e);
}

static int to_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		   struct rs_col *out)
{
	return rs_cast(q, &a[0], n, out->type, e->mode, out);
}

static int cast_bind(struct rs_qctx *q, struct rs_expr *e)
{
	const char *s;
	char tn[256];
	size_t len;
	int rc;

	if ((rc = rs_fn_const_str(q, e, 1, &s, &len)))
		return rc;
	if (len >= sizeof(tn))
		return rs_errf(q->err, -EINVAL, "type name too long");
	memcpy(tn, s, len);
	tn[len] = 0;
	if ((rc = rs_qtype_parse(q, tn, &e->type)))
		return rc;
	return 0;
}

static int cast_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		     struct rs_col *out)
{
	return rs_cast(q, &a[0], n, e->inner, 0, out);
}

static int id_bind(struct rs_qctx *q, struct rs_expr *e)
{
	e->type = e->args[0]->type;
	return 0;
}

static int id_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		   struct rs_col *out)
{
	if (a[0].is_const) {
		for (size_t i = 0; i < n; i++)
			if (rs_col_append(out, a[0].c, 0, 1))
				return rs_fn_nomem(q);
		return 0;
	}
	return rs_col_append(out, a[0].c, 0, n) ? rs_fn_nomem(q) : 0;
}

static int tn_bind(struct rs_qctx *q, struct rs_expr *e)
{
	e->type = rs_qtype(q, RS_T_STRING);
	return 0;
}

static int tn_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		   struct rs_col *out)
{
	struct rs_buf b = RS_BUF_INIT;
	int rc = rs_type_name(e->args[0]->type, &b);

	for (size_t i = 0; i < n && !rc; i++)
		rc = rs_col_push_str(out, b.data ? b.data : "", b.len);
	rs_buf_release(&b);
	return rc ? rs_fn_nomem(q) : 0;
}

#define TO(x) { "to" x, 1, 2, 0, to_bind, to_exec }, { "to" x "OrZero", 1, 1, 0, to_bind, to_exec }, \
	{ "to" x "OrNull", 1, 1, 0, to_bind, to_exec }

const struct rs_fn rs_fns_conv[] = {
	TO("String"), TO("Int8"), TO("Int16"), TO("Int32"), TO("Int64"), TO("UInt8"),
	TO("UInt16"), TO("UInt32"), TO("UInt64"), TO("Float32"), TO("Float64"), TO("Bool"),
	{ "CAST", 2, 2, RS_FN_NULLS, cast_bind, cast_exec },
	{ "_CAST", 2, 2, RS_FN_NULLS, cast_bind, cast_exec },
	{ "toLowCardinality", 1, 1, RS_FN_NULLS, id_bind, id_exec },
	{ "identity", 1, 1, RS_FN_NULLS, id_bind, id_exec },
	{ "toTypeName", 1, 1, RS_FN_NULLS | RS_FN_NOFOLD, tn_bind, tn_exec },
	{ NULL, 0, 0, 0, NULL, NULL },
};
