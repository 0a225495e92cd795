/*
 * err.h - the error convention of roost.
 *
 * Functions return 0 or a negative errno. A human message travels beside the
 * code in an optional struct rs_err (fixed buffer, so reporting -ENOMEM cannot
 * fail). The first error wins: later ones are usually its consequences.
 * Messages are lowercase, no trailing period, subjects in quotes:
 *   return rs_errf(err, -EINVAL, "unknown column '%s'", name);
 */
#ifndef RS_BASE_ERR_H
#define RS_BASE_ERR_H

#include <errno.h>
#include <stddef.h>

struct rs_err {
	int code;		/* 0, or a negative errno */
	unsigned line, col;	/* 1-based position in the input, 0 = none */
	char msg[512];
};

/* Record the first error in err (NULL is allowed) and return code. */
int rs_errf(struct rs_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Like rs_errf, with a position. */
int rs_errf_at(struct rs_err *err, int code, unsigned line, unsigned col,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void rs_err_clear(struct rs_err *err);
/* "EINVAL" for -EINVAL or EINVAL; "E?" for unknown codes. */
const char *rs_errno_name(int code);

#endif
