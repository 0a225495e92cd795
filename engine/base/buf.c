#include "buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rs_buf_reserve(struct rs_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1, cap;
	char *p;

	if (need < b->len)
		return -ENOMEM;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need) {
		if (cap > ((size_t)-1) / 2)
			return -ENOMEM;
		cap *= 2;
	}
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int rs_buf_add(struct rs_buf *b, const void *p, size_t n)
{
	int rc = rs_buf_reserve(b, n);

	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
	return 0;
}

int rs_buf_adds(struct rs_buf *b, const char *s)
{
	return rs_buf_add(b, s, strlen(s));
}

int rs_buf_addc(struct rs_buf *b, char c)
{
	if (b->len + 1 >= b->cap) {
		int rc = rs_buf_reserve(b, 1);
		if (rc)
			return rc;
	}
	b->data[b->len++] = c;
	b->data[b->len] = 0;
	return 0;
}

int rs_buf_vprintf(struct rs_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, rc;

	va_copy(cp, ap);
	rc = rs_buf_reserve(b, 64);
	if (rc) {
		va_end(cp);
		return rc;
	}
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	if (n < 0) {
		va_end(cp);
		b->data[b->len] = 0;
		return -EINVAL;
	}
	if ((size_t)n >= b->cap - b->len) {
		rc = rs_buf_reserve(b, (size_t)n);
		if (rc) {
			va_end(cp);
			b->data[b->len] = 0;
			return rc;
		}
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, cp);
	}
	va_end(cp);
	b->len += (size_t)n;
	return 0;
}

int rs_buf_printf(struct rs_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = rs_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void rs_buf_reset(struct rs_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = 0;
}

void rs_buf_release(struct rs_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *rs_buf_detach(struct rs_buf *b, size_t *len)
{
	char *p = b->data;

	if (len)
		*len = b->len;
	if (!p)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
