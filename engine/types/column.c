#include "column.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"

void rs_col_init(struct rs_col *c, const struct rs_type *type)
{
	memset(c, 0, sizeof(*c));
	c->type = type;
	if (rs_type_phys(type) == RS_PHYS_FIXED)
		c->width = rs_type_width(type);
}

void rs_col_release(struct rs_col *c)
{
	const struct rs_type *t = c->type;

	free(c->nulls);
	free(c->data);
	free(c->offs);
	free(c->bytes);
	if (c->child) {
		rs_col_release(c->child);
		free(c->child);
	}
	rs_col_init(c, t);
}

void rs_col_reset(struct rs_col *c)
{
	c->n = 0;
	c->nbytes = 0;
	if (c->offs)
		c->offs[0] = 0;
	if (c->child)
		rs_col_reset(c->child);
}

static const struct rs_type *array_elem(const struct rs_type *t)
{
	return rs_type_base(t)->sub;
}

int rs_col_reserve(struct rs_col *c, size_t rows)
{
	size_t need = c->n + rows, cap;
	enum rs_phys ph = rs_type_phys(c->type);

	if (need < c->n)
		return -ENOMEM;
	if (ph == RS_PHYS_ARRAY && !c->child) {
		c->child = calloc(1, sizeof(*c->child));
		if (!c->child)
			return -ENOMEM;
		rs_col_init(c->child, array_elem(c->type));
	}
	if (need <= c->cap && (ph == RS_PHYS_FIXED || c->offs))
		return 0;
	cap = c->cap ? c->cap : 16;
	while (cap < need)
		cap *= 2;
	if (rs_type_is_nullable(c->type)) {
		uint8_t *p = realloc(c->nulls, cap);
		if (!p)
			return -ENOMEM;
		c->nulls = p;
	}
	if (ph == RS_PHYS_FIXED) {
		if (cap > ((size_t)-1) / (c->width ? c->width : 1))
			return -ENOMEM;
		uint8_t *p = realloc(c->data, cap * (c->width ? c->width : 1));
		if (!p)
			return -ENOMEM;
		c->data = p;
	} else {
		uint64_t *p = realloc(c->offs, (cap + 1) * sizeof(uint64_t));
		if (!p)
			return -ENOMEM;
		if (!c->offs)
			p[0] = 0;
		c->offs = p;
	}
	c->cap = cap;
	return 0;
}

static int reserve_bytes(struct rs_col *c, size_t n)
{
	size_t need = c->nbytes + n, cap;
	uint8_t *p;

	if (need <= c->bytes_cap && c->bytes)
		return 0;
	cap = c->bytes_cap ? c->bytes_cap : 256;
	while (cap < need) {
		if (cap > ((size_t)-1) / 2)
			return -ENOMEM;
		cap *= 2;
	}
	p = realloc(c->bytes, cap);
	if (!p)
		return -ENOMEM;
	c->bytes = p;
	c->bytes_cap = cap;
	return 0;
}

int rs_col_reserve_bytes(struct rs_col *c, size_t n)
{
	return rs_type_phys(c->type) == RS_PHYS_STRING ? reserve_bytes(c, n) : 0;
}

int rs_col_push_fixed(struct rs_col *c, const void *val)
{
	int rc;

	if (c->n >= c->cap && (rc = rs_col_reserve(c, 1)))
		return rc;
	memcpy(c->data + c->n * c->width, val, c->width);
	if (c->nulls)
		c->nulls[c->n] = 0;
	c->n++;
	return 0;
}

int rs_col_push_str(struct rs_col *c, const char *s, size_t len)
{
	int rc;

	if ((c->n >= c->cap || !c->offs) && (rc = rs_col_reserve(c, 1)))
		return rc;
	if ((rc = reserve_bytes(c, len)))
		return rc;
	if (len)
		memcpy(c->bytes + c->nbytes, s, len);
	c->nbytes += len;
	c->offs[c->n + 1] = c->nbytes;
	if (c->nulls)
		c->nulls[c->n] = 0;
	c->n++;
	return 0;
}

int rs_col_push_zero(struct rs_col *c)
{
	static const uint8_t zero[256];
	uint8_t *tmp;
	int rc;

	switch (rs_type_phys(c->type)) {
	case RS_PHYS_FIXED:
		if (c->width <= sizeof(zero))
			return rs_col_push_fixed(c, zero);
		tmp = calloc(1, c->width);
		if (!tmp)
			return -ENOMEM;
		rc = rs_col_push_fixed(c, tmp);
		free(tmp);
		return rc;
	case RS_PHYS_STRING:
		return rs_col_push_str(c, "", 0);
	case RS_PHYS_ARRAY:
		return rs_col_array_close(c);
	}
	return -EINVAL;
}

int rs_col_push_null(struct rs_col *c)
{
	int rc;

	if (!rs_type_is_nullable(c->type))
		return -EINVAL;
	if ((rc = rs_col_push_zero(c)))
		return rc;
	c->nulls[c->n - 1] = 1;
	return 0;
}

int rs_col_array_close(struct rs_col *c)
{
	int rc;

	if ((c->n >= c->cap || !c->offs) && (rc = rs_col_reserve(c, 1)))
		return rc;
	c->offs[c->n + 1] = c->child ? c->child->n : 0;
	if (c->nulls)
		c->nulls[c->n] = 0;
	c->n++;
	return 0;
}

int rs_col_append(struct rs_col *c, const struct rs_col *src, size_t from, size_t count)
{
	int rc;

	if (!count)
		return 0;
	if ((rc = rs_col_reserve(c, count)))
		return rc;
	if (c->nulls) {
		if (src->nulls)
			memcpy(c->nulls + c->n, src->nulls + from, count);
		else
			memset(c->nulls + c->n, 0, count);
	}
	switch (rs_type_phys(c->type)) {
	case RS_PHYS_FIXED:
		memcpy(c->data + c->n * c->width, src->data + from * c->width,
		       count * c->width);
		break;
	case RS_PHYS_STRING: {
		uint64_t b0 = src->offs[from], b1 = src->offs[from + count];
		if ((rc = reserve_bytes(c, (size_t)(b1 - b0))))
			return rc;
		memcpy(c->bytes + c->nbytes, src->bytes + b0, (size_t)(b1 - b0));
		for (size_t i = 0; i < count; i++)
			c->offs[c->n + i + 1] =
				c->nbytes + (src->offs[from + i + 1] - b0);
		c->nbytes += (size_t)(b1 - b0);
		break;
	}
	case RS_PHYS_ARRAY: {
		uint64_t e0 = src->offs[from], e1 = src->offs[from + count];
		uint64_t base = c->child->n;
		if ((rc = rs_col_append(c->child, src->child, (size_t)e0,
					(size_t)(e1 - e0))))
			return rc;
		for (size_t i = 0; i < count; i++)
			c->offs[c->n + i + 1] = base + (src->offs[from + i + 1] - e0);
		break;
	}
	}
	c->n += count;
	return 0;
}

int rs_col_gather(struct rs_col *c, const struct rs_col *src, const uint32_t *idx, size_t count)
{
	int rc;

	if (!count)
		return 0;
	if (rs_type_phys(c->type) == RS_PHYS_FIXED) {
		size_t w = c->width;
		if ((rc = rs_col_reserve(c, count)))
			return rc;
		uint8_t *dst = c->data + c->n * w;
		switch (w) {
		case 1:
			for (size_t i = 0; i < count; i++)
				dst[i] = src->data[idx[i]];
			break;
		case 2:
			for (size_t i = 0; i < count; i++)
				((uint16_t *)dst)[i] = ((const uint16_t *)src->data)[idx[i]];
			break;
		case 4:
			for (size_t i = 0; i < count; i++)
				((uint32_t *)dst)[i] = ((const uint32_t *)src->data)[idx[i]];
			break;
		case 8:
			for (size_t i = 0; i < count; i++)
				((uint64_t *)dst)[i] = ((const uint64_t *)src->data)[idx[i]];
			break;
		default:
			for (size_t i = 0; i < count; i++)
				memcpy(dst + i * w, src->data + (size_t)idx[i] * w, w);
		}
		if (c->nulls) {
			for (size_t i = 0; i < count; i++)
				c->nulls[c->n + i] = src->nulls ? src->nulls[idx[i]] : 0;
		}
		c->n += count;
		return 0;
	}
	for (size_t i = 0; i < count; i++)
		if ((rc = rs_col_append(c, src, idx[i], 1)))
			return rc;
	return 0;
}

void rs_col_truncate(struct rs_col *c, size_t rows)
{
	if (rows >= c->n)
		return;
	switch (rs_type_phys(c->type)) {
	case RS_PHYS_FIXED:
		break;
	case RS_PHYS_STRING:
		c->nbytes = (size_t)c->offs[rows];
		break;
	case RS_PHYS_ARRAY:
		rs_col_truncate(c->child, (size_t)c->offs[rows]);
		break;
	}
	c->n = rows;
}
