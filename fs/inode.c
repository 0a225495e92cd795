/*
 * inode.c - inode numbers for paths. The kernel's lookup count decides an
 * inode's life (forget); the path is the identity, so a rename moves the
 * inode to its new path. Root is inode 1 and never forgotten.
 */
#include <stdlib.h>
#include <string.h>

#include "../engine/base/util.h"
#include "fs.h"

struct rsfs_inode {
	fuse_ino_t ino;
	uint64_t nlookup;
	char *path;
	struct rsfs_inode *next_ino, *next_path;
};

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static void link_in(struct rsfs *fs, struct rsfs_inode *n)
{
	size_t bi = n->ino % fs->nbuckets, bp = hash_str(n->path) % fs->nbuckets;

	n->next_ino = fs->by_ino[bi];
	fs->by_ino[bi] = n;
	n->next_path = fs->by_path[bp];
	fs->by_path[bp] = n;
}

static void unlink_path(struct rsfs *fs, struct rsfs_inode *n)
{
	struct rsfs_inode **pp = &fs->by_path[hash_str(n->path) % fs->nbuckets];

	while (*pp && *pp != n)
		pp = &(*pp)->next_path;
	if (*pp)
		*pp = n->next_path;
}

static void unlink_ino(struct rsfs *fs, struct rsfs_inode *n)
{
	struct rsfs_inode **pp = &fs->by_ino[n->ino % fs->nbuckets];

	while (*pp && *pp != n)
		pp = &(*pp)->next_ino;
	if (*pp)
		*pp = n->next_ino;
}

static struct rsfs_inode *find_path(struct rsfs *fs, const char *path)
{
	struct rsfs_inode *n = fs->by_path[hash_str(path) % fs->nbuckets];

	while (n && strcmp(n->path, path))
		n = n->next_path;
	return n;
}

static struct rsfs_inode *find_ino(struct rsfs *fs, fuse_ino_t ino)
{
	struct rsfs_inode *n = fs->by_ino[ino % fs->nbuckets];

	while (n && n->ino != ino)
		n = n->next_ino;
	return n;
}

void rsfs_inodes_init(struct rsfs *fs)
{
	struct rsfs_inode *root = xcalloc(1, sizeof(*root));

	pthread_mutex_init(&fs->ino_lock, NULL);
	fs->nbuckets = 65536;
	fs->by_ino = xcalloc(fs->nbuckets, sizeof(*fs->by_ino));
	fs->by_path = xcalloc(fs->nbuckets, sizeof(*fs->by_path));
	root->ino = FUSE_ROOT_ID;
	root->nlookup = 1;
	root->path = xstrdup("/");
	link_in(fs, root);
	fs->next_ino = FUSE_ROOT_ID + 1;
}

void rsfs_inodes_release(struct rsfs *fs)
{
	for (size_t b = 0; b < fs->nbuckets; b++) {
		struct rsfs_inode *n = fs->by_ino[b];
		while (n) {
			struct rsfs_inode *next = n->next_ino;
			free(n->path);
			free(n);
			n = next;
		}
	}
	free(fs->by_ino);
	free(fs->by_path);
	pthread_mutex_destroy(&fs->ino_lock);
}

int rsfs_ino_path(struct rsfs *fs, fuse_ino_t ino, char *out, size_t outsz)
{
	struct rsfs_inode *n;
	int rc = 0;

	pthread_mutex_lock(&fs->ino_lock);
	n = find_ino(fs, ino);
	if (!n || !n->path[0])
		rc = -ENOENT;
	else if (strlen(n->path) >= outsz)
		rc = -ENAMETOOLONG;
	else
		strcpy(out, n->path);
	pthread_mutex_unlock(&fs->ino_lock);
	return rc;
}

fuse_ino_t rsfs_ino_ref(struct rsfs *fs, const char *path)
{
	struct rsfs_inode *n;
	fuse_ino_t ino;

	pthread_mutex_lock(&fs->ino_lock);
	n = find_path(fs, path);
	if (!n) {
		n = xcalloc(1, sizeof(*n));
		n->ino = fs->next_ino++;
		n->path = xstrdup(path);
		link_in(fs, n);
	}
	n->nlookup++;
	ino = n->ino;
	pthread_mutex_unlock(&fs->ino_lock);
	return ino;
}

fuse_ino_t rsfs_ino_peek(struct rsfs *fs, const char *path)
{
	struct rsfs_inode *n;
	fuse_ino_t ino;

	pthread_mutex_lock(&fs->ino_lock);
	n = find_path(fs, path);
	ino = n ? n->ino : 0;
	pthread_mutex_unlock(&fs->ino_lock);
	return ino;
}

void rsfs_ino_forget(struct rsfs *fs, fuse_ino_t ino, uint64_t nl)
{
	struct rsfs_inode *n;

	if (ino == FUSE_ROOT_ID)
		return;
	pthread_mutex_lock(&fs->ino_lock);
	n = find_ino(fs, ino);
	if (n) {
		n->nlookup = n->nlookup > nl ? n->nlookup - nl : 0;
		if (!n->nlookup) {
			unlink_ino(fs, n);
			if (n->path[0])
				unlink_path(fs, n);
			free(n->path);
			free(n);
		}
	}
	pthread_mutex_unlock(&fs->ino_lock);
}

void rsfs_ino_rename(struct rsfs *fs, const char *from, const char *to)
{
	struct rsfs_inode *n, *old;

	pthread_mutex_lock(&fs->ino_lock);
	old = find_path(fs, to);
	if (old) {
		/* the replaced file lives on only for open handles: unnamed */
		unlink_path(fs, old);
		old->path[0] = 0;
	}
	n = find_path(fs, from);
	if (n) {
		unlink_path(fs, n);
		free(n->path);
		n->path = xstrdup(to);
		size_t bp = hash_str(n->path) % fs->nbuckets;
		n->next_path = fs->by_path[bp];
		fs->by_path[bp] = n;
	}
	pthread_mutex_unlock(&fs->ino_lock);
}

void rsfs_pending_add(struct rsfs *fs, const char *path)
{
	pthread_mutex_lock(&fs->pending_lock);
	fs->pending = xrealloc(fs->pending, (fs->npending + 1) * sizeof(char *));
	fs->pending[fs->npending++] = xstrdup(path);
	pthread_mutex_unlock(&fs->pending_lock);
}

void rsfs_pending_del(struct rsfs *fs, const char *path)
{
	pthread_mutex_lock(&fs->pending_lock);
	for (unsigned i = 0; i < fs->npending; i++)
		if (!strcmp(fs->pending[i], path)) {
			free(fs->pending[i]);
			fs->pending[i] = fs->pending[--fs->npending];
			break;
		}
	pthread_mutex_unlock(&fs->pending_lock);
}

int rsfs_pending_has(struct rsfs *fs, const char *path)
{
	int has = 0;

	pthread_mutex_lock(&fs->pending_lock);
	for (unsigned i = 0; i < fs->npending && !has; i++)
		has = !strcmp(fs->pending[i], path);
	pthread_mutex_unlock(&fs->pending_lock);
	return has;
}
