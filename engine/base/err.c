#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int vset(struct rs_err *err, int code, unsigned line, unsigned col,
		const char *fmt, va_list ap)
{
	if (!err || err->code)
		return code;
	err->code = code;
	err->line = line;
	err->col = col;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return code;
}

int rs_errf(struct rs_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = vset(err, code, 0, 0, fmt, ap);
	va_end(ap);
	return code;
}

int rs_errf_at(struct rs_err *err, int code, unsigned line, unsigned col,
	       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = vset(err, code, line, col, fmt, ap);
	va_end(ap);
	return code;
}

void rs_err_clear(struct rs_err *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

const char *rs_errno_name(int code)
{
	static const struct {
		int code;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" },	   { ENOENT, "ENOENT" },
		{ EIO, "EIO" },		   { E2BIG, "E2BIG" },
		{ EBADF, "EBADF" },	   { ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" },	   { EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" },	   { EXDEV, "EXDEV" },
		{ ENOTDIR, "ENOTDIR" },	   { EISDIR, "EISDIR" },
		{ EINVAL, "EINVAL" },	   { EFBIG, "EFBIG" },
		{ ENOSPC, "ENOSPC" },	   { ESPIPE, "ESPIPE" },
		{ EROFS, "EROFS" },	   { ERANGE, "ERANGE" },
		{ ENAMETOOLONG, "ENAMETOOLONG" },
		{ ENOSYS, "ENOSYS" },	   { ENOTEMPTY, "ENOTEMPTY" },
		{ EILSEQ, "EILSEQ" },	   { ENOTSUP, "ENOTSUP" },
		{ ETIMEDOUT, "ETIMEDOUT" }, { EDQUOT, "EDQUOT" },
		{ EINTR, "EINTR" },	   { ECANCELED, "ECANCELED" },
		{ EAGAIN, "EAGAIN" },
	};
	if (code < 0)
		code = -code;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == code)
			return names[i].name;
	return "E?";
}
