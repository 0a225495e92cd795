/*
 * buf.h - a growable byte buffer (git's strbuf, reduced).
 *
 * data is always NUL-terminated when non-NULL (the NUL is not counted in
 * len). Growth failures return -ENOMEM and leave the buffer unchanged.
 */
#ifndef RS_BASE_BUF_H
#define RS_BASE_BUF_H

#include <stddef.h>
#include <stdarg.h>

struct rs_buf {
	char *data;
	size_t len, cap;
};

#define RS_BUF_INIT { NULL, 0, 0 }

int rs_buf_reserve(struct rs_buf *b, size_t extra);	/* room for len+extra+1 */
int rs_buf_add(struct rs_buf *b, const void *p, size_t n);
int rs_buf_adds(struct rs_buf *b, const char *s);
int rs_buf_addc(struct rs_buf *b, char c);
int rs_buf_printf(struct rs_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int rs_buf_vprintf(struct rs_buf *b, const char *fmt, va_list ap);
void rs_buf_reset(struct rs_buf *b);	/* len = 0, keeps memory */
void rs_buf_release(struct rs_buf *b);	/* frees memory; buffer is reusable */
/* Hand the bytes to the caller (who frees them); the buffer becomes empty. */
char *rs_buf_detach(struct rs_buf *b, size_t *len);

#endif
