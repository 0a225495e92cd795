/*
 * column.h - in-memory column vectors.
 *
 * A column holds n rows of one type (borrowed pointer, must outlive the
 * column). Layout by rs_type_phys(type):
 *
 *   FIXED:  data = n * width bytes (width = rs_type_width(type))
 *   STRING: offs = n + 1 uint64 (offs[0] = 0), bytes = concatenated values
 *           (no separators; not NUL-terminated per value)
 *   ARRAY:  offs = n + 1 uint64 into the child column's rows; child is a
 *           column of type->sub (or of the base type's sub) holding all elements
 *
 * Nullable: nulls = n bytes, 1 = NULL; the value slot of a NULL row holds the
 * type's zero (0, empty string, empty array). nulls is NULL for non-Nullable
 * types. LowCardinality columns are plain columns of their inner type here.
 *
 * All growth returns -ENOMEM on failure; the column stays valid.
 * Implementation: column.c. Not thread-safe; one owner at a time.
 */
#ifndef RS_TYPES_COLUMN_H
#define RS_TYPES_COLUMN_H

#include <stddef.h>
#include <stdint.h>

#include "type.h"

struct rs_col {
	const struct rs_type *type;	/* borrowed */
	size_t n;			/* rows */
	size_t cap;			/* rows allocated in data/offs/nulls */
	size_t width;			/* FIXED: bytes per row; else 0 */
	uint8_t *nulls;			/* Nullable only */
	uint8_t *data;			/* FIXED */
	uint64_t *offs;			/* STRING/ARRAY: cap + 1 entries */
	uint8_t *bytes;			/* STRING: payload */
	size_t nbytes, bytes_cap;
	struct rs_col *child;		/* ARRAY */
};

/* Initialise an empty column of 'type' (borrowed). */
void rs_col_init(struct rs_col *c, const struct rs_type *type);
void rs_col_release(struct rs_col *c);	/* frees memory; column is empty again */
void rs_col_reset(struct rs_col *c);	/* n = 0, keeps memory */
int rs_col_reserve(struct rs_col *c, size_t rows);	/* room for n + rows */
int rs_col_reserve_bytes(struct rs_col *c, size_t n);	/* String: n more payload bytes */

/* Append one row. Values are native (see layout); NULL only for Nullable. */
int rs_col_push_fixed(struct rs_col *c, const void *val);	/* width bytes */
int rs_col_push_str(struct rs_col *c, const char *s, size_t len);
int rs_col_push_null(struct rs_col *c);			/* Nullable only: -EINVAL otherwise */
int rs_col_push_zero(struct rs_col *c);			/* type's zero value, not NULL */
/* Arrays: push elements into c->child, then close the row. */
int rs_col_array_close(struct rs_col *c);	/* row = child rows since previous close */
/* Append rows [from, from+count) of src (same type) to c. */
int rs_col_append(struct rs_col *c, const struct rs_col *src, size_t from, size_t count);
/* Append rows src[idx[i]] for i < count (gather). */
int rs_col_gather(struct rs_col *c, const struct rs_col *src, const uint32_t *idx, size_t count);
/* Truncate to 'rows' rows (rows <= n). */
void rs_col_truncate(struct rs_col *c, size_t rows);

static inline int rs_col_is_null(const struct rs_col *c, size_t row)
{
	return c->nulls && c->nulls[row];
}
static inline const void *rs_col_fixed(const struct rs_col *c, size_t row)
{
	return c->data + row * c->width;
}
static inline const char *rs_col_str(const struct rs_col *c, size_t row, size_t *len)
{
	*len = (size_t)(c->offs[row + 1] - c->offs[row]);
	return (const char *)c->bytes + c->offs[row];
}

#endif
