/*
 * fs.h - the FUSE adapter: libfuse's low-level API over the engine.
 *
 * Every operation resolves its inode to a path, classifies the path into a
 * node kind (path.c), checks what the caller may do (perm.c), then calls
 * the engine. Handles (fi->fh) carry per-open state (handle.c). Nodes
 * whose attributes depend on the caller or change behind the kernel's back
 * are replied with attribute and entry timeouts of 0 (fuse-notes 5).
 *
 * Threading: libfuse's multi-threaded loop; the inode table has its own
 * mutex, each handle its own, the engine its own locks.
 */
#ifndef RS_FS_FS_H
#define RS_FS_FS_H

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <sys/types.h>

#include "../engine/base/buf.h"
#include "../engine/base/err.h"
#include "../engine/catalog/catalog.h"

struct rs_ingest;
struct rs_export;

/* ---- paths and node kinds (path.c) ---- */

enum rsfs_kind {
	K_NONE,
	K_ROOT,
	K_ROOT_ERRORS,
	K_ORG,
	K_ORGDIR,		/* <org>/organization/ */
	K_ORG_ADMINS,		/* <org>/organization/admins */
	K_ORGVIEW,		/* <org>/organization/<view>.<fmt> */
	K_WS,
	K_WS_MEMBERS,
	K_WS_ERRORS,
	K_FOLDER,		/* a fixed folder of a workspace */
	K_DS_DEF,		/* datasources/<ds>.datasource */
	K_DS_DATA,		/* datasources/<ds>.<fmt> */
	K_DS_QUAR,		/* datasources/<ds>_quarantine.<fmt> */
	K_PIPE_DEF,		/* <pipefolder>/<pipe>.pipe */
	K_PLAIN,		/* any other file: scratch, tests, fixtures, playground */
	K_SERVICE,		/* tinybird/<table>.<fmt> */
	K_PIPE_RESULT,		/* <pipefolder>/<pipe>.<fmt>[?params] */
	K_PLAY_RESULT,		/* playground/<q>.<fmt>[?params]: runs <q>.sql */
	K_TEST_RESULT,		/* tests/<pipe>.result: runs tests/<pipe>.yaml */
};

enum rsfs_folder {
	F_NONE = -1,
	F_DATASOURCES,
	F_PIPES,
	F_ENDPOINTS,
	F_MATERIALIZATIONS,
	F_COPIES,
	F_FIXTURES,
	F_TESTS,
	F_PLAYGROUND,
	F_TINYBIRD,
	F_NFOLDERS,
};

extern const char *const rsfs_folder_names[F_NFOLDERS];

struct rsfs_path {
	enum rsfs_kind kind;
	int depth;			/* 0 root, 1 org, 2 ws, 3 folder, 4 file */
	char org[72], ws[72];
	enum rsfs_folder folder;
	char name[256];			/* last component at depth 4 (or 2/3) */
	char base[256];			/* data source / pipe / table name */
	char origin[72];		/* shared data sources: the origin workspace */
	char query[256];		/* results: what follows '?' in the name */
	int fmt;			/* rs_format, -1 if none */
};

/* Parse "/a/b/c/d" syntactically. -ENOENT for impossible paths,
 * -ENAMETOOLONG. */
int rsfs_path_parse(const char *path, struct rsfs_path *p);
int rsfs_is_pipe_folder(enum rsfs_folder f);
int rsfs_is_org_view(const char *name);
int rsfs_ds_shared_with(struct rs_ds *ds, const char *dest);

/* ---- the filesystem ---- */

struct rsfs_inode;

struct rsfs {
	struct rs_catalog *cat;
	uid_t operator_uid;
	gid_t operator_gid;
	time_t mount_time;
	struct fuse_session *se;

	pthread_mutex_t ino_lock;
	struct rsfs_inode **by_ino, **by_path;	/* hash buckets */
	size_t nbuckets;
	fuse_ino_t next_ino;

	pthread_mutex_t pending_lock;	/* definitions being created */
	char **pending;
	unsigned npending;
};

/* The caller of the current request. */
struct rsfs_caller {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	char user[64];
	int is_operator;
	fuse_req_t req;			/* for the supplementary groups, on demand */
	int ngroups;			/* -1 until asked */
	gid_t groups[64];
	struct rs_identity id;		/* for the catalog's role checks */
};

void rsfs_caller_get(struct rsfs *fs, fuse_req_t req, struct rsfs_caller *c);
/* users.c: the name of uid (its number when it has none), cached */
void rsfs_user_name(uid_t uid, char *out, size_t outsz);

/* inode.c */
void rsfs_inodes_init(struct rsfs *fs);
void rsfs_inodes_release(struct rsfs *fs);
/* Path of ino (copied into out); -ENOENT if unknown. */
int rsfs_ino_path(struct rsfs *fs, fuse_ino_t ino, char *out, size_t outsz);
/* Find or create the inode of path and add one lookup reference. */
fuse_ino_t rsfs_ino_ref(struct rsfs *fs, const char *path);
void rsfs_ino_forget(struct rsfs *fs, fuse_ino_t ino, uint64_t n);
/* After a rename: the inode of 'from' now has path 'to'. */
void rsfs_ino_rename(struct rsfs *fs, const char *from, const char *to);
/* Peek: inode number of path if known (no reference), else 0. */
fuse_ino_t rsfs_ino_peek(struct rsfs *fs, const char *path);

/* pending creates of definitions (path strings) */
void rsfs_pending_add(struct rsfs *fs, const char *path);
void rsfs_pending_del(struct rsfs *fs, const char *path);
int rsfs_pending_has(struct rsfs *fs, const char *path);

/* node.c: existence and attributes of a classified path for a caller.
 * Fills *ws (referenced) when the path is inside a workspace. */
struct rsfs_node {
	struct rsfs_path p;
	struct rs_ws *ws;		/* referenced, or NULL */
	struct rs_ds *ds;		/* referenced, or NULL */
	char backing[4096];		/* K_PLAIN and logs: the file on disk */
};
int rsfs_node_resolve(struct rsfs *fs, const char *path, const struct rsfs_caller *c,
		      struct rsfs_node *n);
void rsfs_node_release(struct rsfs *fs, struct rsfs_node *n);
/* The node's parent directory (borrows n's references: do not release). */
void rsfs_node_parent(const struct rsfs_node *n, struct rsfs_node *parent);
/* 0 if the caller may create/remove/rename entries where n lives. */
int rsfs_perm_parent(struct rsfs *fs, const struct rsfs_node *n, const struct rsfs_caller *c);
int rsfs_node_stat(struct rsfs *fs, struct rsfs_node *n, const struct rsfs_caller *c,
		   struct stat *st);

/* perm.c: the caller's role where the node is (RS_ROLE_ADMIN for the
 * operator; org admins for organization-level nodes). */
enum rs_role rsfs_role(struct rsfs *fs, const struct rsfs_node *n, const struct rsfs_caller *c);
/* perm.c: may caller do 'what' on node? 0 or -EACCES. */
enum rsfs_access {
	A_READ = 4,
	A_WRITE = 2,
	A_EXEC = 1,
};
int rsfs_perm(struct rsfs *fs, const struct rsfs_node *n, const struct rsfs_caller *c,
	      int what);
/* The mode bits (rwx for the caller) of a node. */
mode_t rsfs_mode(struct rsfs *fs, const struct rsfs_node *n, const struct rsfs_caller *c);

/* errors.c: record a failure (daemon log + the caller's .errors) */
void rsfs_fail(struct rsfs *fs, const struct rsfs_caller *c, const char *path,
	       const char *op, int code, const struct rs_err *err);

/* ops tables */
extern const struct fuse_lowlevel_ops rsfs_ops;

/* directory ops (ops_dir.c) and file ops (ops_file.c) */
void rsfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void rsfs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void rsfs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets);
void rsfs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void rsfs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		  struct fuse_file_info *fi);
void rsfs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void rsfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		  struct fuse_file_info *fi);
void rsfs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void rsfs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode);
void rsfs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name);
void rsfs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);
void rsfs_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		 const char *newname, unsigned int flags);
void rsfs_access(fuse_req_t req, fuse_ino_t ino, int mask);
void rsfs_statfs(fuse_req_t req, fuse_ino_t ino);
void rsfs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname);
void rsfs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name);
void rsfs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev);

void rsfs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		 struct fuse_file_info *fi);
void rsfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void rsfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
	       struct fuse_file_info *fi);
void rsfs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		struct fuse_file_info *fi);
void rsfs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void rsfs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);
void rsfs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);

/* shared helpers */
int rsfs_child_path(struct rsfs *fs, fuse_ino_t parent, const char *name, char *out,
		    size_t outsz);
void rsfs_reply_entry(fuse_req_t req, struct rsfs *fs, const char *path,
		      const struct stat *st);
/* Rename-over of a plain file onto a data file or definition (ops_file.c). */
int rsfs_apply_file(struct rsfs *fs, const struct rsfs_caller *c, struct rsfs_node *dst,
		    const char *src_file, struct rs_err *err);

#endif
