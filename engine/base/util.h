/*
 * util.h - small helpers: aborting allocation for small fixed-size objects
 * (nodes, handles; as git's xmalloc), file I/O that retries short reads and
 * writes, fsync of a directory, and a monotonic clock.
 *
 * Data-sized allocations must NOT use x*alloc: check them and return -ENOMEM.
 */
#ifndef RS_BASE_UTIL_H
#define RS_BASE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define RS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define RS_MAX(a, b) ((a) > (b) ? (a) : (b))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Full-length I/O; return 0 or -errno (-EIO on unexpected EOF for reads). */
int rs_write_all(int fd, const void *p, size_t n);
int rs_pwrite_all(int fd, const void *p, size_t n, off_t off);
int rs_pread_all(int fd, void *p, size_t n, off_t off);
/* Read a whole file into *out (caller frees); -errno on failure. */
int rs_read_file(const char *path, char **out, size_t *len);
/* Write a file atomically: path.tmp, fsync, rename, fsync dir. */
int rs_write_file_atomic(const char *path, const void *p, size_t n);
int rs_fsync_dir(const char *dir);
/* mkdir -p; 0 if it exists. */
int rs_mkdir_p(const char *path, mode_t mode);
/* rm -rf; 0 if it does not exist. */
int rs_rm_rf(const char *path);

uint64_t rs_now_ns(void);		/* CLOCK_MONOTONIC */
int64_t rs_wall_time(void);		/* time(NULL) */
double rs_wall_time_f(void);		/* CLOCK_REALTIME in seconds */

/* Value of hexadecimal digit c (either case), or -1. */
static inline int rs_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * First occurrence of pat[0..m) in s[0..n), or NULL (s when m == 0).
 * For the short needles of LIKE '%x%' and position(): memchr for the first
 * byte, then the last byte, then the rest; glibc's memmem costs about twice
 * as much on short haystacks.
 */
const char *rs_find(const char *s, size_t n, const char *pat, size_t m);
/* The same, scanning for pat[anchor] (rs_find_anchor: the needle's byte
 * least likely in text, so that fewer places are tried). */
const char *rs_find_at(const char *s, size_t n, const char *pat, size_t m, size_t anchor);
size_t rs_find_anchor(const char *pat, size_t m);

#endif
