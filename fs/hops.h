/*
 * hops.h - handle helpers shared by the file operations.
 */
#ifndef RS_FS_HOPS_H
#define RS_FS_HOPS_H

#include "handle.h"

struct rsfs_handle *rsfs_handle_new(enum rsfs_hkind kind, const char *path);
void rsfs_handle_free(struct rsfs *fs, struct rsfs_handle *h);
int rsfs_export_start(struct rsfs_handle *h, struct rs_err *err);
int rsfs_doc_apply(struct rsfs *fs, struct rsfs_handle *h, const struct rsfs_caller *c,
		   struct rs_err *err);
int rsfs_pipe_name_taken(struct rsfs *fs, struct rs_ws *ws, const char *base,
			 enum rsfs_folder except);
void rsfs_log_request(struct rsfs_handle *h, int code, const struct rs_err *err);
int rsfs_query_start(struct rsfs *fs, struct rsfs_handle *h, struct rs_err *err);
int rsfs_query_fill(struct rsfs_handle *h, uint64_t upto, fuse_req_t req, struct rs_err *err);
int rsfs_apply_def(struct rsfs *fs, struct rsfs_node *n, const char *text, size_t len,
		   const char *user, struct rs_err *err);
int rsfs_check_share(struct rsfs *fs, const struct rsfs_caller *c, const struct rsfs_node *n,
		     const char *text, size_t len, struct rs_err *err);
int rsfs_ingest_file(struct rsfs *fs, struct rs_ds *ds, int fmt, const char *file,
		     const char *user, struct rs_err *err);

#endif
