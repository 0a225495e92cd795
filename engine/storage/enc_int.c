#include "enc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/err.h"
#include "part_int.h"

#define BATCH 1024	/* values decoded per step (multiple of 8) */

enum { M_FOR, M_DELTA, M_FOR8, M_DELTA8 };

int rs_codec_corrupt(const struct rs_block_cur *c, size_t off, const char *why,
		     struct rs_err *err)
{
	return rs_errf(err, -EIO, "corrupt block in '%s' at offset %llu: %s",
		       c->file ? c->file : "?", (unsigned long long)(c->base + off), why);
}

static int grow(void **p, size_t n, size_t sz)
{
	void *q = realloc(*p, n * sz);

	if (!q)
		return -ENOMEM;
	*p = q;
	return 0;
}

int rs_codec_grow(struct rs_codec *e, size_t n)
{
	size_t cap = e->cap ? e->cap : 1024;

	if (n <= e->cap)
		return 0;
	while (cap < n) {
		if (cap > ((size_t)1 << 40))
			return -ENOMEM;
		cap *= 2;
	}
	if (grow((void **)&e->k, cap + 8, 8) || grow((void **)&e->t, cap + 8, 8) ||
	    grow((void **)&e->codes, cap, 4) || grow((void **)&e->ent, cap, 4) ||
	    grow((void **)&e->ehash, cap, 8))
		return -ENOMEM;
	e->cap = cap;
	return 0;
}

int rs_codec_table(struct rs_codec *e, size_t cap)
{
	size_t ns = 64;

	while (ns < cap * 2)
		ns *= 2;
	if (ns > e->nslots) {
		if (grow((void **)&e->slots, ns, 4))
			return -ENOMEM;
		e->nslots = ns;
	}
	memset(e->slots, 0, ns * 4);
	e->mask = ns - 1;
	return 0;
}

/* ---- bit-packing ---- */

void rs_codec_bp_pack(const uint64_t *v, size_t n, unsigned b, uint8_t *out)
{
	uint64_t acc = 0;
	unsigned nb = 0;

	if (!b)
		return;
	for (size_t i = 0; i < n; i++) {
		uint64_t x = v[i];

		acc |= x << nb;
		nb += b;
		if (nb >= 64) {
			rs_st64(out, acc);
			out += 8;
			nb -= 64;
			acc = nb ? x >> (b - nb) : 0;
		}
	}
	if (nb)
		rs_st64(out, acc);
}

/* b <= 56: a value never spans more than the 8 bytes at its first byte. */
static inline __attribute__((always_inline)) void unpack_fast(const uint8_t *in, size_t n,
							       uint64_t *out, const unsigned b)
{
	const uint64_t m = (1ull << b) - 1;
	size_t i = 0;

	for (; i + 8 <= n; i += 8, in += b) {
#pragma GCC unroll 8
		for (unsigned j = 0; j < 8; j++)
			out[i + j] = (rs_ld64(in + (j * b) / 8) >> ((j * b) % 8)) & m;
	}
	for (size_t j = 0; i < n; i++, j++)
		out[i] = (rs_ld64(in + (j * b) / 8) >> ((j * b) % 8)) & m;
}

static void unpack_slow(const uint8_t *in, size_t n, uint64_t *out, unsigned b)
{
	const uint64_t m = b == 64 ? ~0ull : (1ull << b) - 1;

	for (size_t i = 0; i < n; i++) {
		size_t bit = i * b;
		unsigned sh = bit % 8;
		uint64_t v = rs_ld64(in + bit / 8) >> sh;

		if (sh && sh + b > 64)
			v |= (uint64_t)in[bit / 8 + 8] << (64 - sh);
		out[i] = v & m;
	}
}

#define UNPACK_CASE(B) case B: unpack_fast(in, n, out, B); return;
#define UNPACK_8(B) UNPACK_CASE(B) UNPACK_CASE(B + 1) UNPACK_CASE(B + 2) \
	UNPACK_CASE(B + 3) UNPACK_CASE(B + 4) UNPACK_CASE(B + 5) UNPACK_CASE(B + 6) \
	UNPACK_CASE(B + 7)

void rs_codec_bp_unpack(const uint8_t *in, unsigned b, size_t n, uint64_t *out)
{
	switch (b) {
	case 0:
		memset(out, 0, n * 8);
		return;
	UNPACK_8(1) UNPACK_8(9) UNPACK_8(17) UNPACK_8(25) UNPACK_8(33) UNPACK_8(41)
	UNPACK_CASE(49) UNPACK_CASE(50) UNPACK_CASE(51) UNPACK_CASE(52)
	UNPACK_CASE(53) UNPACK_CASE(54) UNPACK_CASE(55) UNPACK_CASE(56)
	default:
		unpack_slow(in, n, out, b);
	}
}

/* The same into 32-bit values (b <= 32): dictionary codes, half the
 * stores of the 64-bit form and no narrowing pass after it. The maximum
 * is kept per position of the 8-value step: 8 independent chains, not one
 * compare-and-move per value waiting on the previous one. */
static inline __attribute__((always_inline)) uint32_t unpack32_fast(const uint8_t *in, size_t n,
								     uint32_t *out, const unsigned b)
{
	const uint64_t m = (1ull << b) - 1;
	uint32_t mx[8] = { 0 }, r = 0;
	size_t i = 0;

	for (; i + 8 <= n; i += 8, in += b) {
#pragma GCC unroll 8
		for (unsigned j = 0; j < 8; j++) {
			uint32_t v = (uint32_t)((rs_ld64(in + (j * b) / 8) >> ((j * b) % 8)) & m);

			out[i + j] = v;
			mx[j] = v > mx[j] ? v : mx[j];
		}
	}
	for (size_t j = 0; i < n; i++, j++) {
		out[i] = (uint32_t)((rs_ld64(in + (j * b) / 8) >> ((j * b) % 8)) & m);
		r = out[i] > r ? out[i] : r;
	}
	for (unsigned j = 0; j < 8; j++)
		r = mx[j] > r ? mx[j] : r;
	return r;
}

#define UNPACK32_CASE(B) case B: return unpack32_fast(in, n, out, B);
#define UNPACK32_8(B) UNPACK32_CASE(B) UNPACK32_CASE(B + 1) UNPACK32_CASE(B + 2) \
	UNPACK32_CASE(B + 3) UNPACK32_CASE(B + 4) UNPACK32_CASE(B + 5) UNPACK32_CASE(B + 6) \
	UNPACK32_CASE(B + 7)

uint32_t rs_codec_bp_unpack32(const uint8_t *in, unsigned b, size_t n, uint32_t *out)
{
	switch (b) {
	case 0:
		memset(out, 0, n * sizeof(*out));
		return 0;
	UNPACK32_8(1) UNPACK32_8(9) UNPACK32_8(17) UNPACK32_8(25)
	default:
		return UINT32_MAX;	/* not a code width */
	}
}

/* ---- INT payload ---- */

struct istats {
	uint64_t min, max;
	int64_t dmin, dmax;
};

static void istats(const uint64_t *k, size_t n, struct istats *s)
{
	uint64_t mn = n ? k[0] : 0, mx = mn;
	int64_t dmn = 0, dmx = 0;

	if (n > 1)
		dmn = dmx = (int64_t)(k[1] - k[0]);
	for (size_t i = 1; i < n; i++) {
		uint64_t v = k[i];
		int64_t d = (int64_t)(v - k[i - 1]);

		mn = v < mn ? v : mn;
		mx = v > mx ? v : mx;
		dmn = d < dmn ? d : dmn;
		dmx = d > dmx ? d : dmx;
	}
	s->min = mn;
	s->max = mx;
	s->dmin = dmn;
	s->dmax = dmx;
}

static size_t int_count(unsigned mode, size_t n)
{
	return mode == M_DELTA || mode == M_DELTA8 ? (n ? n - 1 : 0) : n;
}

static size_t int_dbytes(unsigned mode, unsigned bits, size_t m)
{
	return mode == M_FOR || mode == M_DELTA ? rs_codec_bp_bytes(m, bits) : m * bits;
}

/* Append an INT payload; e->t must hold n + 8 values. */
static int int_payload(struct rs_codec *e, const uint64_t *k, size_t n, unsigned w, int sgn,
		       unsigned mode, unsigned bits, uint64_t base, struct rs_buf *out)
{
	size_t m = int_count(mode, n), db = int_dbytes(mode, bits, m);
	uint64_t *t = e->t;
	uint8_t *h, *d;

	if (rs_buf_reserve(out, RS_INT_HDR + db + 8))
		return -ENOMEM;
	h = (uint8_t *)out->data + out->len;
	d = h + RS_INT_HDR;
	h[0] = (uint8_t)mode;
	h[1] = (uint8_t)bits;
	h[2] = (uint8_t)w;
	h[3] = (uint8_t)sgn;
	rs_st32(h + 4, (uint32_t)n);
	rs_st64(h + 8, base);
	rs_st64(h + 16, mode == M_DELTA || mode == M_DELTA8 ? (n ? k[0] : 0) : 0);
	if (mode == M_FOR || mode == M_FOR8) {
		for (size_t i = 0; i < n; i++)
			t[i] = k[i] - base;
	} else {
		for (size_t i = 0; i < m; i++)
			t[i] = k[i + 1] - k[i] - base;
	}
	if (mode == M_FOR || mode == M_DELTA) {
		rs_codec_bp_pack(t, m, bits, d);
	} else {
		switch (bits) {
		case 1:
			for (size_t i = 0; i < m; i++)
				d[i] = (uint8_t)t[i];
			break;
		case 2:
			for (size_t i = 0; i < m; i++)
				rs_st16(d + 2 * i, (uint16_t)t[i]);
			break;
		case 4:
			for (size_t i = 0; i < m; i++)
				rs_st32(d + 4 * i, (uint32_t)t[i]);
			break;
		default:
			memcpy(d, t, m * 8);
		}
	}
	out->len += RS_INT_HDR + db;
	out->data[out->len] = 0;
	return 0;
}

int rs_codec_int_put(struct rs_codec *e, const uint64_t *k, size_t n, struct rs_buf *out)
{
	struct istats s;
	unsigned bfor, bdel;

	istats(k, n, &s);
	bfor = rs_codec_bits(s.max - s.min);
	bdel = rs_codec_bits((uint64_t)s.dmax - (uint64_t)s.dmin);
	if (n > 1 && (n - 1) * bdel < n * bfor)
		return int_payload(e, k, n, 8, 0, M_DELTA, bdel, (uint64_t)s.dmin, out);
	return int_payload(e, k, n, 8, 0, M_FOR, bfor, s.min, out);
}

int rs_codec_int_parse(const uint8_t *p, size_t avail, size_t n, unsigned w, int sgn,
		       struct rs_codec_intp *ip)
{
	size_t m, db;

	if (avail < RS_INT_HDR)
		return -1;
	ip->mode = p[0];
	ip->bits = p[1];
	ip->width = p[2];
	ip->sgn = p[3];
	if (ip->mode > M_DELTA8 || ip->width != w || ip->sgn != (unsigned)sgn ||
	    rs_ld32(p + 4) != n)
		return -1;
	if (ip->mode == M_FOR || ip->mode == M_DELTA ? ip->bits > 64 :
	    ip->bits != 1 && ip->bits != 2 && ip->bits != 4 && ip->bits != 8)
		return -1;
	ip->n = n;
	ip->base = rs_ld64(p + 8);
	ip->first = rs_ld64(p + 16);
	m = int_count(ip->mode, n);
	db = int_dbytes(ip->mode, ip->bits, m);
	if (db > avail - RS_INT_HDR)
		return -1;
	ip->data = p + RS_INT_HDR;
	ip->size = RS_INT_HDR + db;
	return 0;
}

static void load_bytes(const uint8_t *d, unsigned bw, size_t n, uint64_t *out)
{
	switch (bw) {
	case 1:
		for (size_t i = 0; i < n; i++)
			out[i] = d[i];
		break;
	case 2:
		for (size_t i = 0; i < n; i++)
			out[i] = rs_ld16(d + 2 * i);
		break;
	case 4:
		for (size_t i = 0; i < n; i++)
			out[i] = rs_ld32(d + 4 * i);
		break;
	default:
		memcpy(out, d, n * 8);
	}
}

/* Store v[0..n) ^ flip (after adding base: FOR; running sum: DELTA). */
#define INT_STORE(T, ST)                                                           \
	do {                                                                       \
		uint8_t *o_ = (uint8_t *)out + at * sizeof(T);                     \
		if (delta) {                                                       \
			for (size_t j = 0; j < cnt; j++) {                         \
				run += tmp[j] + base;                              \
				ST(o_ + j * sizeof(T), (T)(run ^ flip));           \
			}                                                          \
		} else {                                                           \
			for (size_t j = 0; j < cnt; j++)                           \
				ST(o_ + j * sizeof(T), (T)((tmp[j] + base) ^ flip)); \
		}                                                                  \
	} while (0)

static inline void st8(void *p, uint8_t v)
{
	*(uint8_t *)p = v;
}

void rs_codec_int_get(const struct rs_codec_intp *ip, void *out)
{
	uint64_t tmp[BATCH];
	uint64_t flip = ip->sgn ? 1ull << 63 : 0, base = ip->base, run = ip->first;
	int delta = ip->mode == M_DELTA || ip->mode == M_DELTA8;
	int packed = ip->mode == M_FOR || ip->mode == M_DELTA;
	size_t m = int_count(ip->mode, ip->n), at0 = 0;

	if (!ip->n)
		return;
	if (delta) {
		switch (ip->width) {
		case 1: st8(out, (uint8_t)(run ^ flip)); break;
		case 2: rs_st16(out, (uint16_t)(run ^ flip)); break;
		case 4: rs_st32(out, (uint32_t)(run ^ flip)); break;
		default: rs_st64(out, run ^ flip);
		}
		at0 = 1;
	}
	for (size_t i = 0; i < m; i += BATCH) {
		size_t cnt = m - i < BATCH ? m - i : BATCH, at = at0 + i;

		if (packed)
			rs_codec_bp_unpack(ip->data + i * ip->bits / 8, ip->bits, cnt, tmp);
		else
			load_bytes(ip->data + i * ip->bits, ip->bits, cnt, tmp);
		switch (ip->width) {
		case 1: INT_STORE(uint8_t, st8); break;
		case 2: INT_STORE(uint16_t, rs_st16); break;
		case 4: INT_STORE(uint32_t, rs_st32); break;
		default: INT_STORE(uint64_t, rs_st64);
		}
	}
}

/* ---- fixed-width values ---- */

static uint64_t hash_fixed(const uint8_t *v, size_t w)
{
	switch (w) {
	case 1: return rs_codec_mix64(v[0]);
	case 2: return rs_codec_mix64(rs_ld16(v));
	case 4: return rs_codec_mix64(rs_ld32(v));
	case 8: return rs_codec_mix64(rs_ld64(v));
	case 16: return rs_codec_mix64(rs_ld64(v) ^ rs_codec_mix64(rs_ld64(v + 8)));
	default: return rs_codec_hash(v, w);
	}
}

/* Dictionary of data[0..n*w): codes in e->codes, first rows in e->ent.
 * Returns the number of distinct values, 0 when more than cap. */
static size_t dict_fixed(struct rs_codec *e, const uint8_t *data, size_t n, size_t w, size_t cap)
{
	size_t nd = 0;

	if (rs_codec_table(e, cap))
		return 0;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *v = data + i * w;
		uint64_t h = hash_fixed(v, w);
		size_t s = h & e->mask;

		for (;;) {
			uint32_t x = e->slots[s];

			if (!x) {
				if (nd == cap)
					return 0;
				e->ent[nd] = (uint32_t)i;
				e->ehash[nd] = h;
				e->slots[s] = (uint32_t)++nd;
				e->codes[i] = (uint32_t)(nd - 1);
				break;
			}
			if (e->ehash[x - 1] == h &&
			    rs_codec_eq(data + (size_t)e->ent[x - 1] * w, v, w)) {
				e->codes[i] = x - 1;
				break;
			}
			s = (s + 1) & e->mask;
		}
		if (i == 1023 && nd > 768)	/* mostly distinct: give up early */
			return 0;
	}
	return nd;
}

static int dict_payload(struct rs_codec *e, const uint8_t *data, size_t n, size_t w, size_t nd,
			struct rs_buf *out)
{
	unsigned cb = rs_codec_bits(nd - 1);
	size_t size = RS_DICT_HDR + nd * w + rs_codec_bp_bytes(n, cb);
	uint8_t *h, *d;

	if (rs_buf_reserve(out, size + 8))
		return -ENOMEM;
	h = (uint8_t *)out->data + out->len;
	memset(h, 0, RS_DICT_HDR);
	h[0] = (uint8_t)cb;
	rs_st32(h + 4, (uint32_t)nd);
	rs_st32(h + 8, (uint32_t)n);
	rs_st32(h + 12, (uint32_t)w);
	d = h + RS_DICT_HDR;
	for (size_t j = 0; j < nd; j++)
		memcpy(d + j * w, data + (size_t)e->ent[j] * w, w);
	for (size_t i = 0; i < n; i++)
		e->t[i] = e->codes[i];
	rs_codec_bp_pack(e->t, n, cb, d + nd * w);
	out->len += size;
	out->data[out->len] = 0;
	return 0;
}

/* Compress a candidate stream; keep the smaller of it and the best so far. */
static int try_block(struct rs_codec *e, int *best, unsigned enc, const void *p, size_t len)
{
	int slot = *best < 0 ? 0 : 1 - *best;
	struct rs_buf *b = &e->blk[slot];
	int rc;

	rs_buf_reset(b);
	if ((rc = rs_block_put(b, enc, p, len)))
		return rc;
	if (*best < 0 || b->len < e->blk[*best].len)
		*best = slot;
	return 0;
}

/* Order-preserving u64 keys: signed values sign-extended, bit 63 flipped. */
#define KEYS(T, LD)                                                     \
	for (size_t i = 0; i < n; i++)                                  \
		k[i] = sgn ? (uint64_t)(int64_t)(T)LD(d + i * w) ^ flip \
			   : (uint64_t)LD(d + i * w)

static inline uint8_t ld8(const void *p)
{
	return *(const uint8_t *)p;
}

static void load_keys(const uint8_t *d, size_t n, size_t w, int sgn, uint64_t *k)
{
	const uint64_t flip = 1ull << 63;

	switch (w) {
	case 1: KEYS(int8_t, ld8); break;
	case 2: KEYS(int16_t, rs_ld16); break;
	case 4: KEYS(int32_t, rs_ld32); break;
	default: KEYS(int64_t, rs_ld64); break;
	}
}

static unsigned byte_width(unsigned bits)
{
	return bits <= 8 ? 1 : bits <= 16 ? 2 : bits <= 32 ? 4 : 8;
}

int rs_codec_put_fixed(struct rs_codec *e, const uint8_t *data, size_t n, size_t w, int intlike,
		       int sgn, struct rs_buf *out)
{
	size_t raw_bits = n * w * 8, nd, edict = SIZE_MAX;
	int best = -1, rc;

	if (n > UINT32_MAX)
		return -EFBIG;
	if (!n || !w)
		return rs_block_put(out, RS_ENC_RAW, data, n * w);
	if ((rc = rs_codec_grow(e, n)))
		return rc;
	if (intlike && (w == 1 || w == 2 || w == 4 || w == 8)) {
		struct istats s;
		unsigned bfor, bdel, bbest;
		size_t efor, edel, ebest;
		int delta;

		load_keys(data, n, w, sgn, e->k);
		istats(e->k, n, &s);
		bfor = rs_codec_bits(s.max - s.min);
		bdel = rs_codec_bits((uint64_t)s.dmax - (uint64_t)s.dmin);
		efor = n * bfor;
		edel = (n - 1) * bdel;
		delta = n > 1 && edel < efor;
		bbest = delta ? bdel : bfor;
		ebest = delta ? edel : efor;
		if (ebest > n * 8 && n >= 64) {
			nd = dict_fixed(e, data, n, w, n / 4);
			if (nd)
				edict = nd * w * 8 + n * rs_codec_bits(nd - 1);
		}
		rs_buf_reset(&e->pay);
		if (edict < ebest) {
			rc = dict_payload(e, data, n, w, nd, &e->pay);
			if (!rc)
				rc = try_block(e, &best, RS_ENC_DICT, e->pay.data, e->pay.len);
		} else {
			rc = int_payload(e, e->k, n, (unsigned)w, sgn, delta ? M_DELTA : M_FOR,
					 bbest, delta ? (uint64_t)s.dmin : s.min, &e->pay);
			if (!rc)
				rc = try_block(e, &best, RS_ENC_INT, e->pay.data, e->pay.len);
			/* byte-aligned values give lz4 runs to find */
			if (!rc && bbest && (byte_width(bbest) < w || delta)) {
				rs_buf_reset(&e->pay);
				rc = int_payload(e, e->k, n, (unsigned)w, sgn,
						 delta ? M_DELTA8 : M_FOR8, byte_width(bbest),
						 delta ? (uint64_t)s.dmin : s.min, &e->pay);
				if (!rc)
					rc = try_block(e, &best, RS_ENC_INT, e->pay.data,
						       e->pay.len);
			}
		}
		if (!rc && (edict < ebest ? edict : ebest) * 2 > raw_bits)
			rc = try_block(e, &best, RS_ENC_RAW, data, n * w);
	} else {
		nd = n >= 64 ? dict_fixed(e, data, n, w, n / 4) : 0;
		rc = 0;
		if (nd && (nd * w * 8 + n * rs_codec_bits(nd - 1)) * 10 < raw_bits * 8) {
			rs_buf_reset(&e->pay);
			rc = dict_payload(e, data, n, w, nd, &e->pay);
			if (!rc)
				rc = try_block(e, &best, RS_ENC_DICT, e->pay.data, e->pay.len);
		}
		if (!rc)
			rc = try_block(e, &best, RS_ENC_RAW, data, n * w);
	}
	if (rc)
		return rc;
	return rs_buf_add(out, e->blk[best].data, e->blk[best].len);
}

/* ---- decoding fixed-width values ---- */

static void copy_codes(const uint32_t *codes, size_t cnt, const uint8_t *dict, size_t w,
		       uint8_t *o)
{
	switch (w) {
	case 1:
		for (size_t j = 0; j < cnt; j++)
			o[j] = dict[codes[j]];
		break;
	case 2:
		for (size_t j = 0; j < cnt; j++)
			memcpy(o + 2 * j, dict + 2 * codes[j], 2);
		break;
	case 4:
		for (size_t j = 0; j < cnt; j++)
			memcpy(o + 4 * j, dict + 4 * codes[j], 4);
		break;
	case 8:
		for (size_t j = 0; j < cnt; j++)
			memcpy(o + 8 * j, dict + 8 * codes[j], 8);
		break;
	case 16:
		for (size_t j = 0; j < cnt; j++)
			memcpy(o + 16 * j, dict + 16 * codes[j], 16);
		break;
	default:
		for (size_t j = 0; j < cnt; j++)
			memcpy(o + w * j, dict + w * codes[j], w);
	}
}

static int dict_get(const uint8_t *p, size_t len, uint8_t *dst, size_t n, size_t w)
{
	uint32_t tmp[BATCH];
	unsigned cb;
	size_t nd;
	const uint8_t *dict, *codes;

	if (len < RS_DICT_HDR)
		return -1;
	cb = p[0];
	nd = rs_ld32(p + 4);
	if (p[1] || rs_ld16(p + 2) || cb > 32 || rs_ld32(p + 8) != n || rs_ld32(p + 12) != w ||
	    (!nd && n))
		return -1;
	if ((uint64_t)nd * w > len - RS_DICT_HDR ||
	    rs_codec_bp_bytes(n, cb) != len - RS_DICT_HDR - nd * w)
		return -1;
	dict = p + RS_DICT_HDR;
	codes = dict + nd * w;
	for (size_t i = 0; i < n; i += BATCH) {
		size_t cnt = n - i < BATCH ? n - i : BATCH;

		/* cb bits can name entries past the end */
		if (rs_codec_bp_unpack32(codes + i * cb / 8, cb, cnt, tmp) >= nd && cnt)
			return -1;
		copy_codes(tmp, cnt, dict, w, dst + i * w);
	}
	return 0;
}

int rs_codec_get_fixed(struct rs_block_cur *c, uint8_t *dst, size_t n, size_t w, int intlike,
		       int sgn, struct rs_err *err)
{
	struct rs_stream s;
	struct rs_codec_intp ip;
	size_t off = c->pos;
	const char *why = NULL;
	int rc;

	if ((rc = rs_block_stream(c, &s, dst, RS_ENC_RAW, n * w, err)))
		return rc;
	switch (s.enc) {
	case RS_ENC_RAW:
		if (s.len != n * w)
			why = "bad value count";
		else if (s.p != dst && s.len)
			memcpy(dst, s.p, s.len);
		break;
	case RS_ENC_INT:
		if (!intlike || rs_codec_int_parse(s.p, s.len, n, (unsigned)w, sgn, &ip) ||
		    ip.size != s.len)
			why = "bad integer stream";
		else
			rs_codec_int_get(&ip, dst);
		break;
	case RS_ENC_DICT:
		if (dict_get(s.p, s.len, dst, n, w))
			why = "bad dictionary stream";
		break;
	default:
		why = "unexpected encoding";
	}
	rs_block_release(&s);
	return why ? rs_codec_corrupt(c, off, why, err) : 0;
}
