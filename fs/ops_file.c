/*
 * ops_file.c - read, write, flush (commit), release, setattr (truncate),
 * unlink. Open/create are in ops_open.c, renames in ops_rename.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../engine/base/util.h"
#include "../engine/catalog/svclog.h"
#include "../engine/catalog/views.h"
#include "../engine/ingest/ingest.h"
#include "../engine/output/export.h"
#include "../engine/pipes/pipes.h"
#include "hops.h"

#define FS(req) ((struct rsfs *)fuse_req_userdata(req))
#define HANDLE(fi) ((struct rsfs_handle *)(uintptr_t)(fi)->fh)
#define DOC_MAX (16u << 20)
#define SPOOL_KEEP (4u << 20)

static int export_read(fuse_req_t req, struct rsfs_handle *h, size_t size, off_t off,
		       struct rs_buf *out, struct rs_err *err)
{
	int rc;

	if ((uint64_t)off < h->spool_off) {
		/* a reader went back before what we kept: start over */
		rs_export_free(h->ex);
		h->ex = NULL;
		rs_buf_reset(&h->spool);
		h->spool_off = 0;
		h->eof = 0;
		if ((rc = rs_export_new(h->schema, h->defs, h->snap, (enum rs_format)h->fmt, &h->ex,
					err)))
			return rc;
	}
	while (!h->eof && h->spool_off + h->spool.len < (uint64_t)off + size) {
		if (fuse_req_interrupted(req))
			return -EINTR;
		rc = rs_export_next(h->ex, &h->spool, 1 << 20, err);
		if (rc < 0)
			return rc;
		if (rc == 0)
			h->eof = 1;
	}
	{
		uint64_t start = (uint64_t)off - h->spool_off, avail = 0;
		if (start < h->spool.len)
			avail = RS_MIN((uint64_t)size, h->spool.len - start);
		if (avail && rs_buf_add(out, h->spool.data + start, (size_t)avail))
			return -ENOMEM;
		/* keep a window behind the reader, drop the rest */
		if (start > SPOOL_KEEP) {
			size_t drop = (size_t)(start - SPOOL_KEEP / 2);
			memmove(h->spool.data, h->spool.data + drop, h->spool.len - drop);
			h->spool.len -= drop;
			h->spool_off += drop;
		}
	}
	return 0;
}

/*
 * Replies are sent after the handle is unlocked and no longer touched: the
 * kernel may release (and free) the handle as soon as it has the last
 * bytes, so the bytes are copied out first.
 */
void rsfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
	       struct fuse_file_info *fi)
{
	struct rsfs_handle *h = HANDLE(fi);
	struct rs_buf out = RS_BUF_INIT;
	struct rs_err err = { 0 };
	char path[sizeof(h->path)];
	int rc = 0;

	pthread_mutex_lock(&h->lock);
	switch (h->kind) {
	case H_BUF:
	case H_DOC:
		if ((uint64_t)off < h->buf.len)
			rc = rs_buf_add(&out, h->buf.data + off, RS_MIN(size, h->buf.len - (size_t)off));
		break;
	case H_FILE:
	case H_FIXTURE: {
		ssize_t r;
		if (h->fd < 0)
			break;
		if ((rc = rs_buf_reserve(&out, size)))
			break;
		r = pread(h->fd, out.data, size, off);
		if (r < 0)
			rc = -errno;
		else
			out.len = (size_t)r;
		break;
	}
	case H_EXPORT:
		rc = export_read(req, h, size, off, &out, &err);
		break;
	case H_QUERY:
		rc = rsfs_query_fill(h, (uint64_t)off + size, req, &err);
		if (rc && rc != -EINTR && !h->qerr.code)
			h->qerr = err;
		if (!rc && (uint64_t)off < h->spool.len)
			rc = rs_buf_add(&out, h->spool.data + off,
					RS_MIN(size, h->spool.len - (size_t)off));
		break;
	default:
		rc = -EBADF;
	}
	if (rc)
		memcpy(path, h->path, sizeof(path));
	pthread_mutex_unlock(&h->lock);
	if (rc) {
		if (rc != -EINTR && rc != -EBADF) {
			struct rsfs_caller c;
			rsfs_caller_get(FS(req), req, &c);
			rsfs_fail(FS(req), &c, path, "read", rc, &err);
		}
		fuse_reply_err(req, -rc);
	} else {
		fuse_reply_buf(req, out.data, out.len);
	}
	rs_buf_release(&out);
}

void rsfs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		struct fuse_file_info *fi)
{
	struct rsfs_handle *h = HANDLE(fi);
	struct rs_err err = { 0 };
	int rc = 0;

	pthread_mutex_lock(&h->lock);
	switch (h->kind) {
	case H_DOC: {
		size_t end;
		if (h->append)
			off = (off_t)h->buf.len;
		end = (size_t)off + size;
		if (end > DOC_MAX) {
			rc = rs_errf(&err, -EFBIG, "definitions are limited to %u bytes", DOC_MAX);
			break;
		}
		if (end > h->buf.len) {
			if ((rc = rs_buf_reserve(&h->buf, end - h->buf.len)))
				break;
			memset(h->buf.data + h->buf.len, 0, end - h->buf.len);
			h->buf.len = end;
			h->buf.data[end] = 0;
		}
		memcpy(h->buf.data + off, buf, size);
		h->dirty = 1;
		break;
	}
	case H_FILE:
	case H_FIXTURE:
		if (h->fd < 0) {
			rc = -EBADF;
			break;
		}
		if (h->kind == H_FIXTURE && (rc = rs_ingest_write(h->ing, buf, size, &err)))
			break;
		rc = h->append ? rs_write_all(h->fd, buf, size) : rs_pwrite_all(h->fd, buf, size, off);
		break;
	case H_INGEST:
		/* a stream: appends ignore the kernel's idea of the offset,
		 * other writes must continue where the last one stopped */
		if (!h->append && (uint64_t)off != h->received) {
			rc = rs_errf(&err, -ESPIPE,
				     "data files are streams: write at offset %llu, expected %llu",
				     (unsigned long long)off, (unsigned long long)h->received);
			break;
		}
		rc = rs_ingest_write(h->ing, buf, size, &err);
		break;
	default:
		rc = -EBADF;
	}
	if (!rc)
		h->received += size;
	pthread_mutex_unlock(&h->lock);
	if (rc) {
		struct rsfs_caller c;
		rsfs_caller_get(FS(req), req, &c);
		rsfs_fail(FS(req), &c, h->path, "write", rc, &err);	/* the writer still holds h */
		fuse_reply_err(req, -rc);
		return;
	}
	fuse_reply_write(req, size);
}

/* The commit point of every writer (fuse-notes 1). */
static int commit(struct rsfs *fs, fuse_req_t req, struct rsfs_handle *h, const char *op)
{
	struct rs_err err = { 0 };
	struct rsfs_caller c;
	int rc = 0;

	rsfs_caller_get(fs, req, &c);
	pthread_mutex_lock(&h->lock);
	switch (h->kind) {
	case H_DOC:
		if (h->dirty)
			rc = rsfs_doc_apply(fs, h, &c, &err);
		break;
	case H_INGEST:
	case H_FIXTURE:
		rc = rs_ingest_commit(h->ing, NULL, &err);
		if (!rc && h->kind == H_FIXTURE && h->fd >= 0 && fsync(h->fd) < 0)
			rc = -errno;
		break;
	case H_FILE:
		if (!strcmp(op, "fsync") && h->fd >= 0 && fsync(h->fd) < 0)
			rc = -errno;
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&h->lock);
	if (rc)
		rsfs_fail(fs, &c, h->path, op, rc, &err);
	return rc;
}

void rsfs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, -commit(FS(req), req, HANDLE(fi), "close"));
}

void rsfs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	fuse_reply_err(req, -commit(FS(req), req, HANDLE(fi), "fsync"));
}

void rsfs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	rsfs_handle_free(FS(req), HANDLE(fi));
	fuse_reply_err(req, 0);
}

/* ---- setattr ---- */

static int set_size(struct rsfs *fs, const struct rsfs_caller *c, struct rsfs_node *n,
		    struct rsfs_handle *h, off_t size, struct rs_err *err)
{
	if (h && h->kind == H_DOC) {
		if ((size_t)size > DOC_MAX)
			return rs_errf(err, -EFBIG, "definitions are limited to %u bytes", DOC_MAX);
		if ((size_t)size > h->buf.len) {
			int rc = rs_buf_reserve(&h->buf, (size_t)size - h->buf.len);
			if (rc)
				return rc;
			memset(h->buf.data + h->buf.len, 0, (size_t)size - h->buf.len);
		}
		h->buf.len = (size_t)size;
		if (h->buf.data)
			h->buf.data[size] = 0;
		h->dirty = 1;
		return 0;
	}
	if (h && (h->kind == H_FILE || h->kind == H_FIXTURE) && h->fd >= 0)
		return ftruncate(h->fd, size) < 0 ? -errno : 0;
	if (h && h->kind == H_INGEST && size != 0 && (uint64_t)size == h->received)
		return 0;	/* rsync --inplace: the size it wrote */
	switch (n->p.kind) {
	case K_DS_DATA:
	case K_DS_QUAR:
		if (size != 0)
			return rs_errf(err, -EINVAL,
				       "a data source can only be truncated to 0 bytes (empties it)");
		return rs_ds_truncate(fs->cat, n->ds, n->p.kind == K_DS_QUAR, c->user, err);
	case K_PLAIN:
		return truncate(n->backing, size) < 0 ? -errno : 0;
	case K_DS_DEF:
	case K_PIPE_DEF:
		return rs_errf(err, -EINVAL, "truncate a definition by writing a new one");
	default:
		return rs_errf(err, -EACCES, "'%s' cannot be truncated", n->p.name);
	}
}

void rsfs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		  struct fuse_file_info *fi)
{
	struct rsfs *fs = FS(req);
	struct rsfs_handle *h = fi ? HANDLE(fi) : NULL;
	struct rs_err err = { 0 };
	struct rsfs_caller c;
	struct rsfs_node n;
	char path[PATH_MAX];
	struct stat st;
	int rc;

	rsfs_caller_get(fs, req, &c);
	if ((rc = rsfs_ino_path(fs, ino, path, sizeof(path)))) {
		if (h)
			snprintf(path, sizeof(path), "%s", h->path);
		else
			goto out;
	}
	if ((rc = rsfs_node_resolve(fs, path, &c, &n)) && !h) {
		rsfs_node_release(fs, &n);
		goto out;
	}
	if (rc && h) {
		/* an unnamed file still open: the handle knows what it is */
		rsfs_node_release(fs, &n);
		n = h->node;
		n.ws = NULL;
		n.ds = NULL;
		rc = 0;
	}
	rsfs_node_stat(fs, &n, &c, &st);
	if (to_set & FUSE_SET_ATTR_SIZE) {
		if (!h && (rc = rsfs_perm(fs, &n, &c, A_WRITE)))
			goto fail;
		if (h)
			pthread_mutex_lock(&h->lock);
		if (!h || h->kind != H_INGEST || attr->st_size != 0 || !n.ds)
			rc = set_size(fs, &c, &n, h, attr->st_size, &err);
		else
			rc = rs_ds_truncate(fs->cat, n.ds, 0, c.user, &err);
		if (h)
			pthread_mutex_unlock(&h->lock);
		if (rc)
			goto fail;
	}
	if (to_set & FUSE_SET_ATTR_MODE) {
		/* chmod is never allowed, but setting the mode a file already
		 * shows is not a change (editors and sed -i do it) */
		if (n.p.kind != K_PLAIN && (attr->st_mode & 07777) != (st.st_mode & 07777)) {
			rc = rs_errf(&err, -EPERM, "modes follow roles: chmod is not supported");
			goto fail;
		}
	}
	if (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
		if (((to_set & FUSE_SET_ATTR_UID) && attr->st_uid != st.st_uid) ||
		    ((to_set & FUSE_SET_ATTR_GID) && attr->st_gid != st.st_gid)) {
			rc = rs_errf(&err, -EPERM, "owners follow roles: chown is not supported");
			goto fail;
		}
	}
	if ((to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)) && !h &&
	    (rc = rsfs_perm(fs, &n, &c, A_WRITE)))
		goto fail;
	if ((to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)) && n.p.kind == K_PLAIN) {
		struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_OMIT } };
		if (to_set & FUSE_SET_ATTR_ATIME)
			ts[0] = attr->st_atim;
		if (to_set & FUSE_SET_ATTR_ATIME_NOW)
			ts[0].tv_nsec = UTIME_NOW;
		if (to_set & FUSE_SET_ATTR_MTIME)
			ts[1] = attr->st_mtim;
		if (to_set & FUSE_SET_ATTR_MTIME_NOW)
			ts[1].tv_nsec = UTIME_NOW;
		if (utimensat(AT_FDCWD, n.backing, ts, 0) < 0 && errno != ENOENT) {
			rc = -errno;
			goto fail;
		}
	}
	if ((to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)) && n.p.kind == K_PIPE_DEF) {
		/* touch copies/x.pipe runs a copy pipe now (SPEC 4) */
		char *text = NULL;
		size_t len = 0;
		if ((rc = rs_read_file(n.backing, &text, &len)) == 0)
			rc = rs_copy_run(fs->cat, n.ws, n.p.base, text, len, c.user, &err);
		free(text);
		if (rc)
			goto fail;
	}
	rsfs_node_stat(fs, &n, &c, &st);
	rsfs_node_release(fs, &n);
	st.st_ino = ino;
	fuse_reply_attr(req, &st, 0);
	return;
fail:
	rsfs_fail(fs, &c, path, "setattr", rc, &err);
	rsfs_node_release(fs, &n);
out:
	fuse_reply_err(req, -rc);
}

void rsfs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct rsfs *fs = FS(req);
	struct rs_err err = { 0 };
	struct rsfs_caller c;
	struct rsfs_node n;
	char path[PATH_MAX];
	int rc;

	rsfs_caller_get(fs, req, &c);
	if ((rc = rsfs_child_path(fs, parent, name, path, sizeof(path)))) {
		fuse_reply_err(req, -rc);
		return;
	}
	if ((rc = rsfs_node_resolve(fs, path, &c, &n))) {
		rsfs_node_release(fs, &n);
		fuse_reply_err(req, -rc);
		return;
	}
	if (n.p.origin[0]) {
		rc = rs_errf(&err, -EACCES, "'%s' is shared from workspace '%s': read-only here",
			     n.p.name, n.p.origin);
		goto done;
	}
	if (rsfs_perm_parent(fs, &n, &c)) {
		rc = rs_errf(&err, -EACCES, "permission denied: your role cannot remove files here");
		goto done;
	}
	switch (n.p.kind) {
	case K_DS_DEF:
		if (n.ds)
			rc = rs_ds_delete(fs->cat, n.ws, n.p.base, c.user, &err);
		else
			rsfs_pending_del(fs, path);
		break;
	case K_PIPE_DEF:
	case K_PLAIN:
		if (unlink(n.backing) < 0 && errno != ENOENT)
			rc = -errno;
		rsfs_pending_del(fs, path);
		break;
	default:
		rc = rs_errf(&err, -EPERM, "'%s' is computed and cannot be removed", name);
	}
done:
	if (rc)
		rsfs_fail(fs, &c, path, "unlink", rc, &err);
	rsfs_node_release(fs, &n);
	fuse_reply_err(req, -rc);
}
