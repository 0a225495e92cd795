/*
 * jsonpath.c - compile and look up Tinybird jsonpaths (json.h).
 *
 * A path compiles to a list of steps (key, index, or a final [:]). Lookup
 * walks the tape of a parsed doc: a key step scans the members of an object
 * (first match wins), an index step walks the elements of an array. Paths
 * are immutable once compiled, so one may be shared by several threads.
 */
#include "json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/util.h"

enum step_kind { ST_KEY, ST_INDEX, ST_ALL };

struct step {
	enum step_kind kind;
	unsigned idx;		/* ST_INDEX */
	char *key;		/* ST_KEY, NUL-terminated */
	size_t klen;
};

struct rs_jsonpath {
	unsigned nsteps;
	int is_array;
	struct step steps[];
};

/* Can c be part of a .name step? */
static int name_char(unsigned char c)
{
	return c > ' ' && c != 0x7f && c != '.' && c != '[' && c != ']' &&
	       c != '\'' && c != '"';
}

static int invalid(const char *path, struct rs_err *err)
{
	return rs_errf(err, -EINVAL, "invalid jsonpath '%s'", path);
}

void rs_jsonpath_free(struct rs_jsonpath *p)
{
	unsigned i;

	if (!p)
		return;
	for (i = 0; i < p->nsteps; i++)
		free(p->steps[i].key);
	free(p);
}

int rs_jsonpath_compile(const char *path, struct rs_jsonpath **out, struct rs_err *err)
{
	const char *s = path, *start;
	struct rs_jsonpath *jp;
	struct rs_buf key = RS_BUF_INIT;
	size_t max = 0;
	struct step *st;

	*out = NULL;
	if (s[0] != '$')
		return invalid(path, err);
	/* every step takes at least two characters */
	max = strlen(path) / 2 + 1;
	jp = xcalloc(1, sizeof(*jp) + max * sizeof(struct step));
	s++;
	while (*s) {
		if (jp->is_array)	/* [:] must be the last step */
			goto bad;
		st = &jp->steps[jp->nsteps];
		if (*s == '.') {
			start = ++s;
			while (name_char((unsigned char)*s))
				s++;
			if (s == start || (*s && *s != '.' && *s != '['))
				goto bad;
			st->kind = ST_KEY;
			st->key = xstrndup(start, (size_t)(s - start));
			st->klen = (size_t)(s - start);
			jp->nsteps++;
			continue;
		}
		if (*s != '[')
			goto bad;
		s++;
		if (*s == '\'' || *s == '"') {
			char q = *s++;

			rs_buf_reset(&key);
			while (*s && *s != q) {
				if (*s == '\\' && s[1])
					s++;
				if (rs_buf_addc(&key, *s++))
					goto nomem;
			}
			if (*s != q || s[1] != ']')
				goto bad;
			s += 2;
			st->kind = ST_KEY;
			st->key = xstrndup(key.data ? key.data : "", key.len);
			st->klen = key.len;
		} else if (*s == ':' && s[1] == ']') {
			s += 2;
			st->kind = ST_ALL;
			jp->is_array = 1;
		} else if (*s >= '0' && *s <= '9') {
			unsigned long v = 0;

			while (*s >= '0' && *s <= '9') {
				v = v * 10 + (unsigned long)(*s++ - '0');
				if (v > 0x7fffffff)
					goto bad;
			}
			if (*s++ != ']')
				goto bad;
			st->kind = ST_INDEX;
			st->idx = (unsigned)v;
		} else {
			goto bad;
		}
		jp->nsteps++;
	}
	rs_buf_release(&key);
	*out = jp;
	return 0;
bad:
	rs_buf_release(&key);
	rs_jsonpath_free(jp);
	return invalid(path, err);
nomem:
	rs_buf_release(&key);
	rs_jsonpath_free(jp);
	return rs_errf(err, -ENOMEM, "no memory for jsonpath '%s'", path);
}

int rs_jsonpath_is_array(const struct rs_jsonpath *p)
{
	return p->is_array;
}

int rs_jsonpath_lookup(const struct rs_json_doc *d, const struct rs_jsonpath *p)
{
	int node = 0;
	unsigned i, k;
	const char *raw;
	size_t len;

	rs_json_raw(d, 0, &raw, &len);
	if (!len)
		return -1;	/* nothing parsed */
	for (i = 0; i < p->nsteps; i++) {
		const struct step *st = &p->steps[i];

		switch (st->kind) {
		case ST_KEY:
			if ((node = rs_json_member(d, node, st->key, st->klen)) < 0)
				return -1;
			break;
		case ST_INDEX:
			if (rs_json_kind(d, node) != RS_JSON_ARRAY ||
			    st->idx >= rs_json_nchildren(d, node))
				return -1;
			node = rs_json_first_child(d, node);
			for (k = 0; k < st->idx; k++)
				node = rs_json_next_sibling(d, node);
			break;
		case ST_ALL:
			if (rs_json_kind(d, node) != RS_JSON_ARRAY)
				return -1;
			break;
		}
	}
	return node;
}
