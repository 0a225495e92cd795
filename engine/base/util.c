#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <limits.h>

static void oom(size_t n)
{
	fprintf(stderr, "roost: out of memory allocating %zu bytes\n", n);
	_exit(70);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		oom(n * sz);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom(strlen(s));
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		oom(n);
	return p;
}

int rs_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int rs_pwrite_all(int fd, const void *p, size_t n, off_t off)
{
	const char *c = p;

	while (n) {
		ssize_t w = pwrite(fd, c, n, off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

int rs_pread_all(int fd, void *p, size_t n, off_t off)
{
	char *c = p;

	while (n) {
		ssize_t r = pread(fd, c, n, off);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -EIO;
		c += r;
		n -= (size_t)r;
		off += r;
	}
	return 0;
}

int rs_read_file(const char *path, char **out, size_t *len)
{
	struct stat st;
	char *p;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	p = malloc((size_t)st.st_size + 1);
	if (!p) {
		close(fd);
		return -ENOMEM;
	}
	rc = rs_pread_all(fd, p, (size_t)st.st_size, 0);
	close(fd);
	if (rc) {
		free(p);
		return rc;
	}
	p[st.st_size] = 0;
	*out = p;
	if (len)
		*len = (size_t)st.st_size;
	return 0;
}

int rs_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int rs_write_file_atomic(const char *path, const void *p, size_t n)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	char *slash;
	int fd, rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	rc = rs_write_all(fd, p, n);
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc) {
		unlink(tmp);
		return rc;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = 0;
		return rs_fsync_dir(*dir ? dir : "/");
	}
	return rs_fsync_dir(".");
}

int rs_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	/* usually it is there already: one syscall, not one per component */
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -errno;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int rs_rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char sub[PATH_MAX];
	int rc = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >=
		    (int)sizeof(sub)) {
			rc = -ENAMETOOLONG;
			continue;
		}
		int r = rs_rm_rf(sub);
		if (r && !rc)
			rc = r;
	}
	closedir(d);
	if (rmdir(path) < 0 && errno != ENOENT && !rc)
		rc = -errno;
	return rc;
}

uint64_t rs_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int64_t rs_wall_time(void)
{
	return (int64_t)time(NULL);
}

double rs_wall_time_f(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *rs_find(const char *s, size_t n, const char *pat, size_t m)
{
	const char *p = s, *end;

	if (m == 0)
		return s;
	if (m > n)
		return NULL;
	if (m == 1)
		return memchr(s, pat[0], n);
	end = s + n - m + 1;	/* last start + 1 */
	while ((p = memchr(p, pat[0], (size_t)(end - p)))) {
		if (p[m - 1] == pat[m - 1] && !memcmp(p + 1, pat + 1, m - 2))
			return p;
		p++;
	}
	return NULL;
}

const char *rs_find_at(const char *s, size_t n, const char *pat, size_t m, size_t anchor)
{
	const char *p, *end;

	if (anchor == 0 || anchor >= m)
		return rs_find(s, n, pat, m);
	if (m > n)
		return NULL;
	/* the anchor byte of a match lies in [s + anchor, s + n - m + anchor] */
	p = s + anchor;
	end = s + n - m + anchor + 1;
	while ((p = memchr(p, pat[anchor], (size_t)(end - p)))) {
		if (!memcmp(p - anchor, pat, m))
			return p - anchor;
		p++;
	}
	return NULL;
}

size_t rs_find_anchor(const char *pat, size_t m)
{
	/* bytes that are everywhere in text, paths and URLs rank high */
	static const char common[] = " /etaoinsrhl.-_0123456789dcumpfgwybv,=:?&";
	size_t best = 0;
	int best_rank = -1;

	for (size_t i = 0; i < m; i++) {
		const char *c = pat[i] ? strchr(common, pat[i]) : NULL;
		int rank = c ? (int)(c - common) : 1000;	/* later in common: rarer */

		if (rank > best_rank) {	/* rarer: higher rank; first wins ties */
			best_rank = rank;
			best = i;
		}
	}
	return best;
}
