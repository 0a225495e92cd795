#include "schema.h"

#include <stdlib.h>
#include <string.h>

#include "../base/util.h"

void rs_schema_init(struct rs_schema *s)
{
	s->ncols = 0;
	s->cols = NULL;
}

void rs_schema_add(struct rs_schema *s, const char *name, struct rs_type *type)
{
	s->cols = xrealloc(s->cols, (s->ncols + 1) * sizeof(*s->cols));
	s->cols[s->ncols].name = xstrdup(name);
	s->cols[s->ncols].type = type;
	s->ncols++;
}

int rs_schema_find(const struct rs_schema *s, const char *name)
{
	for (unsigned i = 0; i < s->ncols; i++)
		if (!strcmp(s->cols[i].name, name))
			return (int)i;
	return -1;
}

void rs_schema_copy(struct rs_schema *dst, const struct rs_schema *src)
{
	rs_schema_init(dst);
	for (unsigned i = 0; i < src->ncols; i++)
		rs_schema_add(dst, src->cols[i].name, rs_type_clone(src->cols[i].type));
}

void rs_schema_release(struct rs_schema *s)
{
	for (unsigned i = 0; i < s->ncols; i++) {
		free(s->cols[i].name);
		rs_type_free(s->cols[i].type);
	}
	free(s->cols);
	rs_schema_init(s);
}
