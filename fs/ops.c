/*
 * ops.c - the operation table (how to add an operation: write it in the
 * file of its family, declare it in fs.h, add one line here) and the
 * session set-up.
 */
#include "fs.h"

static void rsfs_init(void *userdata, struct fuse_conn_info *conn)
{
	/* never the writeback cache: it re-sends appended bytes and loses the
	 * caller's identity (fuse-notes 2) */
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	/* no kernel-side permission checks: modes depend on the caller */
	conn->want &= ~FUSE_CAP_POSIX_ACL;
}

const struct fuse_lowlevel_ops rsfs_ops = {
	.init = rsfs_init,
	.lookup = rsfs_lookup,
	.forget = rsfs_forget,
	.forget_multi = rsfs_forget_multi,
	.getattr = rsfs_getattr,
	.setattr = rsfs_setattr,
	.access = rsfs_access,
	.statfs = rsfs_statfs,
	.opendir = rsfs_opendir,
	.readdir = rsfs_readdir,
	.releasedir = rsfs_releasedir,
	.mkdir = rsfs_mkdir,
	.rmdir = rsfs_rmdir,
	.unlink = rsfs_unlink,
	.rename = rsfs_rename,
	.link = rsfs_link,
	.symlink = rsfs_symlink,
	.mknod = rsfs_mknod,
	.create = rsfs_create,
	.open = rsfs_open,
	.read = rsfs_read,
	.write = rsfs_write,
	.flush = rsfs_flush,
	.fsync = rsfs_fsync,
	.release = rsfs_release,
};
