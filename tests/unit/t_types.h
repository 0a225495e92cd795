/*
 * t_types.h - helpers shared by the engine/types unit tests: parse a type
 * and render its canonical name, parse a value and render it back.
 */
#ifndef RS_TESTS_T_TYPES_H
#define RS_TESTS_T_TYPES_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../engine/base/buf.h"
#include "../../engine/base/err.h"
#include "../../engine/types/column.h"
#include "../../engine/types/type.h"
#include "../../engine/types/value.h"
#include "../../engine/types/value_int.h"
#include "t.h"

#define T_UNUSED __attribute__((unused))

static char out_buf[4096];

/* canonical name of a parsed type, or "ERR: <message>" */
T_UNUSED static const char *tname(const char *spelling)
{
	struct rs_type *t;
	struct rs_err err = { 0 };
	struct rs_buf b = RS_BUF_INIT;

	if (rs_type_parse(spelling, &t, &err)) {
		snprintf(out_buf, sizeof(out_buf), "ERR: %s", err.msg);
		return out_buf;
	}
	rs_type_name(t, &b);
	snprintf(out_buf, sizeof(out_buf), "%s", b.data);
	rs_buf_release(&b);
	rs_type_free(t);
	return out_buf;
}

/* parse 'text' as 'type', render row 0 in 'style'; "ERR" when rejected */
T_UNUSED static const char *rt_len(const char *type, const char *text, size_t len,
			  enum rs_render_style style)
{
	struct rs_type *t;
	struct rs_col c;
	struct rs_buf b = RS_BUF_INIT;
	int rc;

	if (rs_type_parse(type, &t, NULL))
		return "BADTYPE";
	rs_col_init(&c, t);
	rc = rs_value_parse(&c, text, len);
	if (rc) {
		snprintf(out_buf, sizeof(out_buf), "ERR");
		T_EQ_INT(c.n, 0);
	} else {
		T_EQ_INT(c.n, 1);
		rs_value_render(&c, 0, style, &b);
		memcpy(out_buf, b.data, b.len);
		out_buf[b.len] = 0;
	}
	rs_buf_release(&b);
	rs_col_release(&c);
	rs_type_free(t);
	return out_buf;
}

T_UNUSED static const char *rt(const char *type, const char *text)
{
	return rt_len(type, text, strlen(text), RS_RENDER_TEXT);
}

T_UNUSED static const char *rts(const char *type, const char *text, enum rs_render_style st)
{
	return rt_len(type, text, strlen(text), st);
}


#endif
