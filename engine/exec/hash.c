/*
 * hash.c - hashing of column values and rs_keyset, the open-addressing
 * table of distinct key tuples used by GROUP BY, DISTINCT, LIMIT BY, IN and
 * joins. Strings are hashed and compared in place (no copies).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../types/value.h"
#include "exec.h"
#include "par_int.h"

/* 64x64 -> 128 multiply folded to 64 bits (wyhash's mum). */
static inline uint64_t mum(uint64_t a, uint64_t b)
{
	unsigned __int128 r = (unsigned __int128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

#define HK0 0xa0761d6478bd642fULL
#define HK1 0xe7037ed1a0b428dbULL
#define HK2 0x8ebc6af09c88c6e3ULL

/* wyhash-style: short strings (the common keys) cost one or two multiplies. */
uint64_t rs_hash_bytes(const void *p, size_t n, uint64_t seed)
{
	const uint8_t *s = p;
	uint64_t a, b, h = seed ^ HK0;

	if (n <= 16) {
		if (n >= 8) {
			memcpy(&a, s, 8);
			memcpy(&b, s + n - 8, 8);
		} else if (n >= 4) {
			uint32_t x, y;

			memcpy(&x, s, 4);
			memcpy(&y, s + n - 4, 4);
			a = x;
			b = y;
		} else {
			a = n ? ((uint64_t)s[0] << 16) | ((uint64_t)s[n >> 1] << 8) | s[n - 1] : 0;
			b = 0;
		}
	} else {
		size_t i = n;

		while (i > 16) {
			memcpy(&a, s, 8);
			memcpy(&b, s + 8, 8);
			h = mum(a ^ HK1, b ^ h);
			s += 16;
			i -= 16;
		}
		memcpy(&a, s + i - 16, 8);
		memcpy(&b, s + i - 8, 8);
	}
	return mum(HK1 ^ n, mum(a ^ HK1, b ^ h) ^ HK2);
}

/* The hash of a fixed-width value of at most 8 bytes: its bytes
 * zero-extended, little-endian (the value itself for unsigned types). */
static inline uint64_t fixed_hash(uint64_t k)
{
	return rs_hash_mix(k ^ 0x2545f4914f6cdd1dULL);
}

uint64_t rs_hash_row(const struct rs_col *c, size_t r)
{
	if (c->nulls && c->nulls[r])
		return 0x6b43a9b5f2e1d3c7ULL;
	switch (rs_type_phys(c->type)) {
	case RS_PHYS_FIXED:
		if (c->width == 8) {
			uint64_t k;
			memcpy(&k, c->data + r * 8, 8);
			return fixed_hash(k);
		}
		if (c->width <= 4) {
			uint64_t k = 0;
			memcpy(&k, c->data + r * c->width, c->width);
			return fixed_hash(k);
		}
		return rs_hash_bytes(c->data + r * c->width, c->width, 1);
	case RS_PHYS_STRING: {
		size_t len;
		const char *s = rs_col_str(c, r, &len);
		return rs_hash_bytes(s, len, 7);
	}
	case RS_PHYS_ARRAY: {
		uint64_t h = 0x1234567;
		for (uint64_t i = c->offs[r]; i < c->offs[r + 1]; i++)
			h = rs_hash_mix(h ^ rs_hash_row(c->child, i));
		return h;
	}
	}
	return 0;
}

void rs_hash_vec(const struct rs_vec *v, size_t n, uint64_t *h, int init)
{
	const struct rs_col *c = v->c;

	if (v->is_const) {
		uint64_t x = rs_hash_row(c, 0);
		for (size_t i = 0; i < n; i++)
			h[i] = init ? x : rs_hash_mix(h[i] * 31 + x);
		return;
	}
	if (c->width && !c->nulls && (c->width == 8 || c->width <= 4)) {
		for (size_t i = 0; i < n; i++) {
			uint64_t k = 0, x;

			memcpy(&k, c->data + i * c->width, c->width);
			x = fixed_hash(k);
			h[i] = init ? x : rs_hash_mix(h[i] * 31 + x);
		}
		return;
	}
	if (rs_type_phys(c->type) == RS_PHYS_STRING && !c->nulls) {
		for (size_t i = 0; i < n; i++) {
			uint64_t x = rs_hash_bytes(c->bytes + c->offs[i], c->offs[i + 1] - c->offs[i], 7);
			h[i] = init ? x : rs_hash_mix(h[i] * 31 + x);
		}
		return;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t x = rs_hash_row(c, i);
		h[i] = init ? x : rs_hash_mix(h[i] * 31 + x);
	}
}

int rs_row_eq(const struct rs_col *a, size_t i, const struct rs_col *b, size_t j)
{
	int an = a->nulls && a->nulls[i], bn = b->nulls && b->nulls[j];

	if (an || bn)
		return an == bn;
	switch (rs_type_phys(a->type)) {
	case RS_PHYS_FIXED:
		return !memcmp(a->data + i * a->width, b->data + j * b->width, a->width);
	case RS_PHYS_STRING: {
		size_t la, lb;
		const char *sa = rs_col_str(a, i, &la), *sb = rs_col_str(b, j, &lb);
		return la == lb && !memcmp(sa, sb, la);
	}
	default:
		return rs_value_cmp(a, i, b, j) == 0;
	}
}

void rs_keyset_init(struct rs_keyset *ks, struct rs_qctx *q, unsigned nk,
		    const struct rs_type **types)
{
	memset(ks, 0, sizeof(*ks));
	ks->q = q;
	ks->nk = nk;
	ks->keys = calloc(nk ? nk : 1, sizeof(*ks->keys));
	if (!ks->keys)
		abort();	/* node-sized */
	for (unsigned k = 0; k < nk; k++)
		rs_col_init(&ks->keys[k], types[k]);
}

void rs_keyset_release(struct rs_keyset *ks)
{
	if (ks->keys)
		for (unsigned k = 0; k < ks->nk; k++)
			rs_col_release(&ks->keys[k]);
	free(ks->keys);
	free(ks->slots);
	if (ks->q)
		rs_qctx_mem(ks->q, -ks->mem);
	memset(ks, 0, sizeof(*ks));
}

#define TAG(h) ((h) & 0xffffffff00000000ULL)
#define HOME(h, mask) ((size_t)((h) >> 32) & (mask))

/* Double the table (256 slots at first) and place every slot again. */
static int grow(struct rs_keyset *ks)
{
	size_t cap = ks->cap ? ks->cap * 2 : 256, mask = cap - 1;
	uint64_t *sl = calloc(cap, sizeof(*sl));
	int64_t mem = (int64_t)(cap * sizeof(*sl));

	if (!sl)
		return rs_errf(ks->q->err, -ENOMEM, "out of memory for a hash table of %zu keys", ks->n);
	for (size_t s = 0; s < ks->cap; s++) {
		uint64_t x = ks->slots[s];
		size_t p;

		if (!x)
			continue;
		for (p = HOME(x, mask); sl[p]; p = (p + 1) & mask)
			;
		sl[p] = x;
	}
	free(ks->slots);
	ks->slots = sl;
	ks->cap = cap;
	if (rs_qctx_mem(ks->q, mem - ks->mem))
		return -ENOMEM;
	ks->mem = mem;
	return 0;
}

int rs_keyset_absorb(struct rs_keyset *ks, const struct rs_keyset *from, const uint64_t *h,
		     uint32_t *map)
{
	struct rs_vec *v = calloc(ks->nk ? ks->nk : 1, sizeof(*v));
	uint32_t *idx = malloc((from->n + 1) * sizeof(*idx));
	size_t nnew = 0;
	int rc = 0;

	if (!v || !idx) {
		rc = rs_errf(ks->q->err, -ENOMEM, "out of memory");
		goto out;
	}
	if (ks->n + from->n >= UINT32_MAX - 1) {
		rc = rs_errf(ks->q->err, -ENOMEM, "too many distinct keys");
		goto out;
	}
	for (unsigned k = 0; k < ks->nk; k++)
		v[k].c = &from->keys[k];
	rs_keyset_find(ks, v, from->n, h, map);
	for (size_t g = 0; g < from->n; g++)
		if (map[g] == UINT32_MAX) {
			map[g] = (uint32_t)(ks->n + nnew);
			idx[nnew++] = (uint32_t)g;
		}
	for (unsigned k = 0; k < ks->nk && !rc; k++)
		if (rs_col_reserve(&ks->keys[k], nnew) ||
		    rs_col_reserve_bytes(&ks->keys[k], from->keys[k].nbytes) ||
		    rs_gather_fast(&ks->keys[k], &from->keys[k], idx, nnew))
			rc = rs_errf(ks->q->err, -ENOMEM, "out of memory");
	ks->n += nnew;
	ks->sealed = 1;
out:
	free(v);
	free(idx);
	return rc;
}

static int key_eq(const struct rs_keyset *ks, const struct rs_vec *v, size_t r, uint32_t id)
{
	for (unsigned k = 0; k < ks->nk; k++) {
		const struct rs_col *a = v[k].c, *b = &ks->keys[k];
		size_t i = rs_vrow(&v[k], r);

		if (a->nulls || b->nulls || (!a->width && b->child)) {
			if (!rs_row_eq(a, i, b, id))
				return 0;
		} else if (a->width) {	/* fixed */
			if (memcmp(a->data + i * a->width, b->data + (size_t)id * b->width, a->width))
				return 0;
		} else {		/* string */
			uint64_t la = a->offs[i + 1] - a->offs[i], lb = b->offs[id + 1] - b->offs[id];

			if (la != lb || memcmp(a->bytes + a->offs[i], b->bytes + b->offs[id], la))
				return 0;
		}
	}
	return 1;
}

/* Append key row r of v as id ks->n and put it in slot p. */
static int insert_at(struct rs_keyset *ks, const struct rs_vec *v, size_t r, size_t p, uint64_t h)
{
	if (ks->n >= UINT32_MAX - 1)
		return rs_errf(ks->q->err, -ENOMEM, "too many distinct keys");
	for (unsigned k = 0; k < ks->nk; k++) {
		const struct rs_col *c = v[k].c;
		size_t i = rs_vrow(&v[k], r);
		int rc;

		if (c->nulls || ks->keys[k].nulls || c->child || ks->keys[k].child ||
		    c->width != ks->keys[k].width || !c->type ||
		    (!c->width && rs_type_phys(c->type) != RS_PHYS_STRING))
			rc = rs_col_append(&ks->keys[k], c, i, 1);
		else if (c->width)	/* plain fixed and String: no type dispatch */
			rc = rs_col_push_fixed(&ks->keys[k], c->data + i * c->width);
		else
			rc = rs_col_push_str(&ks->keys[k], (const char *)c->bytes + c->offs[i],
					     (size_t)(c->offs[i + 1] - c->offs[i]));
		if (rc)
			return rs_errf(ks->q->err, -ENOMEM, "out of memory");
	}
	ks->slots[p] = TAG(h) | (uint32_t)++ks->n;
	return 0;
}

/* rs_keyset_add for one String key without NULLs: compares inline. */
static int add_str1(struct rs_keyset *ks, const struct rs_vec *v, size_t n, const uint64_t *h,
		    uint32_t *ids, size_t *added)
{
	const struct rs_col *a = v->c;
	int rc;

	for (size_t i = 0; i < n; i++) {
		const uint8_t *sa = a->bytes + a->offs[i];
		uint64_t la = a->offs[i + 1] - a->offs[i], tag = TAG(h[i]), x;
		const struct rs_col *b = &ks->keys[0];
		size_t mask, p;
		uint32_t id;

		if ((ks->n + 1) * 2 > ks->cap && (rc = grow(ks)))
			return rc;
		if (i && h[i] == h[i - 1] && la == a->offs[i] - a->offs[i - 1] &&
		    !memcmp(sa, a->bytes + a->offs[i - 1], la)) {
			ids[i] = ids[i - 1];	/* runs of one key (sorted data) */
			continue;
		}
		mask = ks->cap - 1;
		for (p = HOME(h[i], mask); (x = ks->slots[p]); p = (p + 1) & mask) {
			id = (uint32_t)x;
			if (TAG(x) == tag && b->offs[id] - b->offs[id - 1] == la &&
			    !memcmp(sa, b->bytes + b->offs[id - 1], la))
				break;
		}
		if (x) {
			ids[i] = (uint32_t)x - 1;
			continue;
		}
		if ((rc = insert_at(ks, v, i, p, h[i])))
			return rc;
		ids[i] = (uint32_t)(ks->n - 1);
		++*added;
	}
	return 0;
}

/* the one fixed-width key that rs_keyset_add takes without hashes */
int rs_keyset_lazy_hash(const struct rs_keyset *ks, const struct rs_vec *v)
{
	size_t w = v->c->width;

	return ks->nk == 1 && !v->is_const && !v->c->nulls && !ks->keys[0].nulls &&
	       (w == 1 || w == 2 || w == 4 || w == 8) && w == ks->keys[0].width &&
	       !ks->keys[0].child && rs_type_phys(v->c->type) == RS_PHYS_FIXED;
}

/* rs_keyset_add for one fixed-width key of W bytes without NULLs; h may be
 * NULL: hashes computed here, only where the key changes. */
#define ADD_FIXED1(NAME, T)								\
static int NAME(struct rs_keyset *ks, const struct rs_vec *v, size_t n, const uint64_t *h,	\
		uint32_t *ids, size_t *added)						\
{											\
	const T *a = (const T *)v->c->data;						\
	int rc;										\
											\
	for (size_t i = 0; i < n; i++) {						\
		const T *b = (const T *)ks->keys[0].data;				\
		uint64_t hi, tag, x;							\
		size_t mask, p;								\
											\
		if (i && a[i] == a[i - 1]) {						\
			ids[i] = ids[i - 1];	/* runs of one key (sorted data) */	\
			continue;							\
		}									\
		hi = h ? h[i] : fixed_hash((uint64_t)a[i]);				\
		tag = TAG(hi);								\
		if ((ks->n + 1) * 2 > ks->cap && (rc = grow(ks)))			\
			return rc;							\
		mask = ks->cap - 1;							\
		for (p = HOME(hi, mask); (x = ks->slots[p]); p = (p + 1) & mask)	\
			if (TAG(x) == tag && b[(uint32_t)x - 1] == a[i])		\
				break;							\
		if (x) {								\
			ids[i] = (uint32_t)x - 1;					\
			continue;							\
		}									\
		if ((rc = insert_at(ks, v, i, p, hi)))					\
			return rc;							\
		ids[i] = (uint32_t)(ks->n - 1);						\
		++*added;								\
	}										\
	return 0;									\
}
ADD_FIXED1(add_fixed1_u8, uint8_t)
ADD_FIXED1(add_fixed1_u16, uint16_t)
ADD_FIXED1(add_fixed1_u32, uint32_t)
ADD_FIXED1(add_fixed1_u64, uint64_t)

int rs_keyset_add(struct rs_keyset *ks, const struct rs_vec *v, size_t n, const uint64_t *h,
		  uint32_t *ids, size_t *nnew)
{
	size_t added = 0;
	int rc;

	if (ks->sealed)
		return rs_errf(ks->q->err, -EINVAL, "internal: keys added to a sealed key set");

	if (rs_keyset_lazy_hash(ks, v)) {
		int (*f)(struct rs_keyset *, const struct rs_vec *, size_t, const uint64_t *,
			 uint32_t *, size_t *) = NULL;

		switch (v->c->width) {
		case 1: f = add_fixed1_u8; break;
		case 2: f = add_fixed1_u16; break;
		case 4: f = add_fixed1_u32; break;
		case 8: f = add_fixed1_u64; break;
		}
		if (f) {
			if ((rc = f(ks, v, n, h, ids, &added)))
				return rc;
			if (nnew)
				*nnew = added;
			return 0;
		}
	}

	if (!h)
		return rs_errf(ks->q->err, -EINVAL, "internal: keys without hashes");
	if (ks->nk == 1 && !v->is_const && !v->c->nulls && !ks->keys[0].nulls &&
	    rs_type_phys(v->c->type) == RS_PHYS_STRING &&
	    rs_type_phys(ks->keys[0].type) == RS_PHYS_STRING) {
		if ((rc = add_str1(ks, v, n, h, ids, &added)))
			return rc;
		if (nnew)
			*nnew = added;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t tag = TAG(h[i]), x;
		size_t mask, p;

		if ((ks->n + 1) * 2 > ks->cap && (rc = grow(ks)))
			return rc;
		mask = ks->cap - 1;
		if (i && h[i] == h[i - 1] && key_eq(ks, v, i, ids[i - 1])) {
			ids[i] = ids[i - 1];	/* runs of one key (sorted data) */
			continue;
		}
		for (p = HOME(h[i], mask); (x = ks->slots[p]); p = (p + 1) & mask)
			if (TAG(x) == tag && key_eq(ks, v, i, (uint32_t)x - 1))
				break;
		if (x) {
			ids[i] = (uint32_t)x - 1;
			continue;
		}
		if ((rc = insert_at(ks, v, i, p, h[i])))
			return rc;
		ids[i] = (uint32_t)(ks->n - 1);
		added++;
	}
	if (nnew)
		*nnew = added;
	return 0;
}

void rs_keyset_find(const struct rs_keyset *ks, const struct rs_vec *v, size_t n,
		    const uint64_t *h, uint32_t *ids)
{
	for (size_t i = 0; i < n; i++) {
		size_t mask = ks->cap - 1, p;
		uint64_t tag = TAG(h[i]), x;

		ids[i] = UINT32_MAX;
		if (!ks->cap || ks->sealed)
			continue;
		for (p = HOME(h[i], mask); (x = ks->slots[p]); p = (p + 1) & mask)
			if (TAG(x) == tag && key_eq(ks, v, i, (uint32_t)x - 1)) {
				ids[i] = (uint32_t)x - 1;
				break;
			}
	}
}
