/*
 * main.c - roostfs: the only main(). Parses the command line and config,
 * opens the catalog, mounts, runs libfuse's multi-threaded loop, and on
 * unmount or SIGTERM/SIGINT/SIGHUP closes everything (commits happen in
 * flush, so nothing acknowledged is pending at exit).
 *
 *   roostfs [-c CONFIG] [-f] [-o FUSE_OPTIONS] MOUNTPOINT
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../engine/base/mem.h"
#include "../engine/base/util.h"
#include "../engine/pipes/pipes.h"
#include "../engine/storage/gcache.h"
#include "../fs/fs.h"
#include "config.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: roostfs [-c CONFIG] [-f] [-o FUSE_OPTIONS] MOUNTPOINT\n"
		   "  -c CONFIG   INI configuration (default: embedded, data under\n"
		   "              $XDG_DATA_HOME/roost or ~/.local/share/roost)\n"
		   "  -f          stay in the foreground, log to stderr\n"
		   "  -o OPTS     libfuse mount options (comma separated)\n"
		   "unmount with: fusermount3 -u MOUNTPOINT\n");
}

/* Parts keep a descriptor per column file open: a workspace of many data
 * sources and columns passes the usual soft limit of 1024 long before the
 * hard one. The daemon takes the hard limit (as servers do). */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		fprintf(stderr, "roostfs: cannot raise the open files limit: %s\n", strerror(errno));
}

int main(int argc, char **argv)
{
	const char *config = NULL, *mountpoint = NULL;
	char *opts[32];
	int nopts = 0, foreground = 0, rc = 1;
	struct rs_config cfg;
	struct rs_err err = { 0 };
	struct rsfs fs;
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_session *se = NULL;
	struct fuse_loop_config *lc = NULL;
	char msg[1024], storage[PATH_MAX], mnt[PATH_MAX];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			config = argv[++i];
		} else if (!strcmp(argv[i], "-f")) {
			foreground = 1;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			if (nopts < 32)
				opts[nopts++] = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' || mountpoint) {
			usage(stderr);
			return 2;
		} else {
			mountpoint = argv[i];
		}
	}
	if (!mountpoint) {
		usage(stderr);
		return 2;
	}
	rs_config_defaults(&cfg);
	if (config && rs_config_load(&cfg, config, msg, sizeof(msg))) {
		fprintf(stderr, "roostfs: %s\n", msg);
		rs_config_release(&cfg);
		return 1;
	}
	/* the daemon's cwd becomes / : resolve paths first (fuse-notes 8) */
	if (rs_mkdir_p(cfg.storage_path, 0755) || !realpath(cfg.storage_path, storage)) {
		fprintf(stderr, "roostfs: cannot use storage path '%s': %s\n", cfg.storage_path,
			strerror(errno));
		rs_config_release(&cfg);
		return 1;
	}
	if (!realpath(mountpoint, mnt)) {
		fprintf(stderr, "roostfs: bad mountpoint '%s': %s\n", mountpoint, strerror(errno));
		rs_config_release(&cfg);
		return 1;
	}

	raise_nofile();
	memset(&fs, 0, sizeof(fs));
	fs.operator_uid = getuid();
	fs.operator_gid = getgid();
	fs.mount_time = time(NULL);
	pthread_mutex_init(&fs.pending_lock, NULL);
	rsfs_inodes_init(&fs);
	rs_gcache_set_budget(cfg.cache_bytes);
	if (rs_mem_retain(cfg.mem_retain, cfg.mem_release_ms))
		fprintf(stderr, "roostfs: malloc refused [memory] retain; glibc's defaults apply\n");
	if (rs_catalog_open(storage, &cfg.limits, &fs.cat, &err)) {
		fprintf(stderr, "roostfs: cannot open storage '%s': %s\n", storage, err.msg);
		goto out;
	}
	for (unsigned i = 0; i < cfg.nws_limits; i++)
		rs_catalog_set_ws_limits(fs.cat, cfg.ws_limit_names[i], &cfg.ws_limits[i]);
	for (unsigned i = 0; i < cfg.norgs; i++)
		rs_catalog_config_admins(fs.cat, cfg.orgs[i].org, cfg.orgs[i].admins);
	fs.cat->on_commit = rs_mv_on_commit;	/* materialized views */

	fuse_opt_add_arg(&args, argv[0]);
	fuse_opt_add_arg(&args, "-o");
	/* auto_unmount: if the daemon dies, fusermount3 removes the mount
	 * instead of leaving "Transport endpoint is not connected" behind */
	fuse_opt_add_arg(&args, "fsname=roost,subtype=roost,auto_unmount");
	if (getuid() == 0) {
		/* so that other Unix users can use the mount (SPEC 1) */
		fuse_opt_add_arg(&args, "-o");
		fuse_opt_add_arg(&args, "allow_other");
	}
	for (int i = 0; i < nopts; i++) {
		fuse_opt_add_arg(&args, "-o");
		fuse_opt_add_arg(&args, opts[i]);
	}
	se = fuse_session_new(&args, &rsfs_ops, sizeof(rsfs_ops), &fs);
	if (!se) {
		fprintf(stderr, "roostfs: cannot create the FUSE session\n");
		goto out;
	}
	fs.se = se;
	if (fuse_set_signal_handlers(se)) {
		fprintf(stderr, "roostfs: cannot install signal handlers\n");
		goto out;
	}
	if (fuse_session_mount(se, mnt)) {
		fprintf(stderr, "roostfs: cannot mount on '%s'\n", mnt);
		goto out_signals;
	}
	if (!foreground) {
		char logp[PATH_MAX + 16];
		int lfd;
		snprintf(logp, sizeof(logp), "%s/roost.log", storage);
		lfd = open(logp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		fuse_daemonize(0);
		if (lfd >= 0) {
			dup2(lfd, 2);
			close(lfd);
		}
	}
	fprintf(stderr, "roostfs: mounted %s (storage %s)\n", mnt, storage);
	/* threads start after fuse_daemonize(): a fork keeps only the thread
	 * that calls it (started before, the daemon had no merges nor copy
	 * schedule, and hung at unmount on the merger's condition variable) */
	if (rs_copy_scheduler_start(fs.cat))
		fprintf(stderr, "roostfs: COPY_SCHEDULE is off (no thread)\n");
	if (rs_catalog_start_merger(fs.cat))
		fprintf(stderr, "roostfs: background merges are off (no thread)\n");
	lc = fuse_loop_cfg_create();
	fuse_loop_cfg_set_max_threads(lc, 16);
	fuse_loop_cfg_set_clone_fd(lc, 0);
	rc = fuse_session_loop_mt(se, lc);
	fuse_loop_cfg_destroy(lc);
	/* a signal ends the loop with its number: that is a clean exit */
	rc = rc < 0 ? 1 : 0;
	rs_copy_scheduler_stop();
	fuse_session_unmount(se);
	fprintf(stderr, "roostfs: unmounted %s\n", mnt);
out_signals:
	fuse_remove_signal_handlers(se);
out:
	rs_copy_scheduler_stop();
	if (se)
		fuse_session_destroy(se);
	fuse_opt_free_args(&args);
	rs_catalog_close(fs.cat);
	rsfs_inodes_release(&fs);
	pthread_mutex_destroy(&fs.pending_lock);
	rs_config_release(&cfg);
	return rc;
}
