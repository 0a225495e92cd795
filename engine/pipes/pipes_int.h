/* pipes_int.h - shared by pipe.c and resolve.c */
#ifndef RS_PIPES_PIPES_INT_H
#define RS_PIPES_PIPES_INT_H

#include "pipes.h"

/* The resolver's context: lives as long as the query (owned by it). */
struct rs_pipe_ctx {
	struct rs_catalog *cat;
	struct rs_ws *ws;
	char *only_table;		/* see rs_pipe_req */
	struct rs_snapshot *only_snap;	/* referenced */
	int org_admin;			/* organization.<view> allowed */
};

int rs_pipe_resolve(void *ctx, const char *db, const char *name, struct rs_table_info *out,
		    struct rs_err *err);
void rs_pipe_release(void *ctx, struct rs_table_info *info);

#endif
