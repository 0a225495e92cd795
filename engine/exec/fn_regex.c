/*
 * fn_regex.c - regular expressions through PCRE2 (ClickHouse uses RE2; the
 * common syntax is the same): match, extract, extractAll, replaceRegexpOne,
 * replaceRegexpAll (\0..\9 in the replacement); and multiSearchAny (plain
 * substrings, no regex). Patterns must be constant; they are compiled once
 * at bind time, over bytes (no UTF mode). Built with RS_HAVE_PCRE2 (and
 * -lpcre2-8); without it the regex functions fail to bind with a message.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "fn_int.h"

#ifdef RS_HAVE_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif

enum { R_MATCH, R_EXTRACT, R_EXTRACT_ALL, R_REP_ONE, R_REP_ALL };

static int str_arg(const struct rs_expr *e, unsigned k)
{
	return rs_type_base(e->args[k]->type)->id == RS_T_STRING;
}

#ifdef RS_HAVE_PCRE2
struct rx {
	pcre2_code *code;
	pcre2_match_data *md;
	uint32_t ngroups;
};

static void rx_free(void *p)
{
	struct rx *r = p;

	if (!r)
		return;
	pcre2_match_data_free(r->md);
	pcre2_code_free(r->code);
	free(r);
}

static int rx_bind(struct rs_qctx *q, struct rs_expr *e)
{
	static const struct { const char *name; int mode, nargs; } fns[] = {
		{ "match", R_MATCH, 2 }, { "extract", R_EXTRACT, 2 },
		{ "extractAll", R_EXTRACT_ALL, 2 }, { "replaceRegexpOne", R_REP_ONE, 3 },
		{ "replaceRegexpAll", R_REP_ALL, 3 },
	};
	const char *pat;
	size_t plen, off;
	struct rx *r;
	int err, rc;

	for (unsigned i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (!strcmp(fns[i].name, e->fn->name))
			e->mode = fns[i].mode;
	for (unsigned k = 0; k < e->nargs; k++)
		if (!str_arg(e, k))
			return rs_fn_bad_args(q, e);
	if ((rc = rs_fn_const_str(q, e, 1, &pat, &plen)))
		return rc;
	if ((e->mode == R_REP_ONE || e->mode == R_REP_ALL) && e->args[2]->kind != RS_X_CONST)
		return rs_errf(q->err, -EINVAL, "argument 3 of function '%s' must be a constant string",
			       e->fn->name);
	if (!(r = calloc(1, sizeof(*r))))
		return rs_fn_nomem(q);
	r->code = pcre2_compile((PCRE2_SPTR)pat, plen, 0, &err, &off, NULL);
	if (!r->code) {
		PCRE2_UCHAR msg[256];

		free(r);
		pcre2_get_error_message(err, msg, sizeof(msg));
		return rs_errf(q->err, -EINVAL, "cannot compile regexp '%.*s' at offset %zu: %s",
			       (int)plen, pat, off, (const char *)msg);
	}
	pcre2_pattern_info(r->code, PCRE2_INFO_CAPTURECOUNT, &r->ngroups);
	if (!(r->md = pcre2_match_data_create_from_pattern(r->code, NULL))) {
		rx_free(r);
		return rs_fn_nomem(q);
	}
	e->st = r;
	e->st_free = rx_free;
	switch (e->mode) {
	case R_MATCH: e->type = rs_qtype(q, RS_T_UINT8); break;
	case R_EXTRACT_ALL: e->type = rs_qtype_array(q, rs_qtype(q, RS_T_STRING)); break;
	default: e->type = rs_qtype(q, RS_T_STRING);
	}
	return 0;
}

/* Match at or after 'start': 1 found, 0 not, <0 error. */
static int find(struct rs_qctx *q, struct rx *r, const char *s, size_t len, size_t start)
{
	int rc = pcre2_match(r->code, (PCRE2_SPTR)s, len, start, 0, r->md, NULL);

	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0)
		return rs_errf(q->err, -EINVAL, "regexp match failed (error %d)", rc);
	return 1;
}

/* Append the replacement with \0..\9 substituted. */
static int subst(struct rx *r, const char *s, const char *rep, size_t rl, struct rs_buf *b)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
	int rc = 0;

	for (size_t i = 0; i < rl && !rc; i++) {
		if (rep[i] == '\\' && i + 1 < rl && rep[i + 1] >= '0' && rep[i + 1] <= '9') {
			uint32_t g = (uint32_t)(rep[i + 1] - '0');

			i++;
			if (g <= r->ngroups && ov[2 * g] != PCRE2_UNSET)
				rc = rs_buf_add(b, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
		} else if (rep[i] == '\\' && i + 1 < rl && rep[i + 1] == '\\') {
			i++;
			rc = rs_buf_addc(b, '\\');
		} else {
			rc = rs_buf_addc(b, rep[i]);
		}
	}
	return rc;
}

static int rx_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		   struct rs_col *out)
{
	struct rx *r = e->st;
	struct rs_buf b = RS_BUF_INIT;
	size_t rl = 0;
	const char *rep = e->nargs > 2 ? rs_col_str(a[2].c, 0, &rl) : "";
	int rc = 0;

	if (rs_col_reserve(out, n))
		return rs_fn_nomem(q);
	for (size_t i = 0; i < n && rc >= 0; i++) {
		size_t len, pos = 0;
		const char *s = rs_col_str(a[0].c, rs_vrow(&a[0], i), &len);
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
		uint32_t g = r->ngroups ? 1 : 0;
		uint8_t m;

		switch (e->mode) {
		case R_MATCH:
			if ((rc = find(q, r, s, len, 0)) >= 0) {
				m = (uint8_t)rc;
				rc = rs_col_push_fixed(out, &m) ? -ENOMEM : 0;
			}
			break;
		case R_EXTRACT:
			if ((rc = find(q, r, s, len, 0)) > 0 && ov[2 * g] != PCRE2_UNSET)
				rc = rs_col_push_str(out, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
			else if (rc >= 0)
				rc = rs_col_push_str(out, "", 0);
			break;
		case R_EXTRACT_ALL:
			while (pos <= len && (rc = find(q, r, s, len, pos)) > 0) {
				if (ov[2 * g] != PCRE2_UNSET &&
				    rs_col_push_str(out->child, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]))
					rc = -ENOMEM;
				pos = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
				if (rc < 0)
					break;
			}
			if (rc >= 0)
				rc = rs_col_array_close(out) ? -ENOMEM : 0;
			break;
		default:	/* replaceRegexpOne / All */
			rs_buf_reset(&b);
			while (pos <= len && (rc = find(q, r, s, len, pos)) > 0) {
				if (rs_buf_add(&b, s + pos, ov[0] - pos) || subst(r, s, rep, rl, &b))
					rc = -ENOMEM;
				if (rc < 0)
					break;
				if (ov[1] == ov[0]) {	/* empty match: copy one byte and go on */
					if (ov[0] < len && rs_buf_addc(&b, s[ov[0]]))
						rc = -ENOMEM;
					pos = ov[0] + 1;
				} else {
					pos = ov[1];
				}
				if (e->mode == R_REP_ONE)
					break;
			}
			if (rc >= 0 && pos < len && rs_buf_add(&b, s + pos, len - pos))
				rc = -ENOMEM;
			if (rc >= 0)
				rc = rs_col_push_str(out, b.data ? b.data : "", b.len) ? -ENOMEM : 0;
		}
	}
	rs_buf_release(&b);
	if (rc == -ENOMEM)
		return rs_fn_nomem(q);
	return rc < 0 ? rc : 0;
}
#else
static int rx_bind(struct rs_qctx *q, struct rs_expr *e)
{
	return rs_errf(q->err, -EINVAL,
		       "function '%s' needs PCRE2: this build has no RS_HAVE_PCRE2", e->fn->name);
}

static int rx_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		   struct rs_col *out)
{
	return -EINVAL;
}
#endif

/* multiSearchAny(haystack, ['needle', ...]): any needle is a substring */
static int msa_bind(struct rs_qctx *q, struct rs_expr *e)
{
	const struct rs_type *t = rs_type_base(e->args[1]->type);

	if (!str_arg(e, 0) || t->id != RS_T_ARRAY || rs_type_base(t->sub)->id != RS_T_STRING ||
	    e->args[1]->kind != RS_X_CONST)
		return rs_fn_bad_args(q, e);
	e->type = rs_qtype(q, RS_T_UINT8);
	return 0;
}

static int msa_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		    struct rs_col *out)
{
	const struct rs_col *nd = a[1].c;

	if (rs_col_reserve(out, n))
		return rs_fn_nomem(q);
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *s = rs_col_str(a[0].c, rs_vrow(&a[0], i), &len);
		uint8_t m = 0;

		for (uint64_t k = nd->offs[0]; k < nd->offs[1] && !m; k++) {
			size_t nl;
			const char *ns = rs_col_str(nd->child, k, &nl);

			m = rs_find(s, len, ns, nl) != NULL;
		}
		if (rs_col_push_fixed(out, &m))
			return rs_fn_nomem(q);
	}
	return 0;
}

const struct rs_fn rs_fns_regex[] = {
	{ "match", 2, 2, 0, rx_bind, rx_exec },
	{ "extract", 2, 2, 0, rx_bind, rx_exec },
	{ "extractAll", 2, 2, 0, rx_bind, rx_exec },
	{ "replaceRegexpOne", 3, 3, 0, rx_bind, rx_exec },
	{ "replaceRegexpAll", 3, 3, 0, rx_bind, rx_exec },
	{ "multiSearchAny", 2, 2, 0, msa_bind, msa_exec },
	{ NULL, 0, 0, 0, NULL, NULL },
};
