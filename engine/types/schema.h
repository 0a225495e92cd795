/*
 * schema.h - a named, typed column list (what a part or a table stores).
 * Implementation: schema.c.
 */
#ifndef RS_TYPES_SCHEMA_H
#define RS_TYPES_SCHEMA_H

#include "type.h"

struct rs_colspec {
	char *name;
	struct rs_type *type;
};

struct rs_schema {
	unsigned ncols;
	struct rs_colspec *cols;
};

void rs_schema_init(struct rs_schema *s);
/* Append a column; takes ownership of type, copies name. */
void rs_schema_add(struct rs_schema *s, const char *name, struct rs_type *type);
int rs_schema_find(const struct rs_schema *s, const char *name);	/* index or -1 */
void rs_schema_copy(struct rs_schema *dst, const struct rs_schema *src);
void rs_schema_release(struct rs_schema *s);

#endif
