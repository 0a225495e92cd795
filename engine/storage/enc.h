/*
 * enc.h - lightweight encodings applied before lz4 (internal to storage):
 * bit-packing, the INT payload (frame of reference / delta), dictionaries
 * for fixed-width values and strings. Payload layouts: part_int.h.
 *
 * Encoders pick an encoding per stream by estimated size, and for fixed
 * columns also by trial (each candidate is lz4-compressed, the smallest
 * block wins). They use the scratch of a struct rs_codec (one per writer, not
 * thread-safe). Decoders only allocate what the destination needs, check
 * every count and code against the payload, and report -EIO with the file
 * and offset of the stream. Implementation: enc_int.c, enc_str.c.
 */
#ifndef RS_STORAGE_ENC_H
#define RS_STORAGE_ENC_H

#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "block.h"

struct rs_col;
struct rs_err;

#define RS_INT_HDR  24
#define RS_DICT_HDR 16

struct rs_codec {
	size_t cap;		/* entries of k, t, codes, ent, ehash */
	uint64_t *k, *t;	/* keys, transformed values (+8 slack) */
	uint32_t *codes, *ent;	/* per-row dictionary codes, entries' first rows */
	uint64_t *ehash;	/* entries' hashes */
	uint32_t *slots;	/* hash table: entry + 1, 0 = empty */
	size_t nslots, mask;	/* allocated slots, slots in use - 1 */
	uint64_t *lens;		/* array element counts */
	size_t lens_cap;
	struct rs_buf pay;	/* payload being built */
	struct rs_buf blk[2];	/* trial blocks */
};

int rs_codec_grow(struct rs_codec *e, size_t n);

static inline unsigned rs_codec_bits(uint64_t x)
{
	return x ? 64 - (unsigned)__builtin_clzll(x) : 0;
}

/* Bit-packing (LSB first). pack writes rs_codec_bp_bytes(n, b) + up to 8 bytes
 * more; unpack reads up to 9 bytes past rs_codec_bp_bytes(n, b). */
static inline size_t rs_codec_bp_bytes(size_t n, unsigned b)
{
	return (n * b + 7) / 8;
}
void rs_codec_bp_pack(const uint64_t *v, size_t n, unsigned b, uint8_t *out);
void rs_codec_bp_unpack(const uint8_t *in, unsigned b, size_t n, uint64_t *out);
/* b <= 32 into 32-bit values; returns the largest (0 for n = 0; b > 32:
 * UINT32_MAX, nothing written). */
uint32_t rs_codec_bp_unpack32(const uint8_t *in, unsigned b, size_t n, uint32_t *out);

/* A parsed INT payload. */
struct rs_codec_intp {
	unsigned mode, bits, width, sgn;
	size_t n;
	uint64_t base, first;
	const uint8_t *data;
	size_t size;		/* header + data bytes */
};

/* Append an INT payload of n unsigned keys k[] (width 8), bit-packed with
 * frame of reference or delta, whichever is smaller. Uses e->t. */
int rs_codec_int_put(struct rs_codec *e, const uint64_t *k, size_t n, struct rs_buf *out);
/* Parse an INT payload at p[0..avail) that must hold n values of width w and
 * signedness sgn. Returns 0 or -1 (malformed). */
int rs_codec_int_parse(const uint8_t *p, size_t avail, size_t n, unsigned w, int sgn,
		       struct rs_codec_intp *ip);
/* Decode a parsed payload into out (n values of width ip->width). */
void rs_codec_int_get(const struct rs_codec_intp *ip, void *out);

/* Fixed-width values: data[0..n*w). intlike/sgn from the column type. */
int rs_codec_put_fixed(struct rs_codec *e, const uint8_t *data, size_t n, size_t w, int intlike,
		       int sgn, struct rs_buf *out);
int rs_codec_get_fixed(struct rs_block_cur *c, uint8_t *dst, size_t n, size_t w, int intlike,
		       int sgn, struct rs_err *err);

/* Strings: rows [from, from+n) of c (RS_PHYS_STRING). */
int rs_codec_put_str(struct rs_codec *e, const struct rs_col *c, size_t from, size_t n,
		     struct rs_buf *out);
int rs_codec_get_str(struct rs_block_cur *c, struct rs_col *dst, size_t n, struct rs_err *err);
/* Dictionary view (no per-row strings): STRDICT gives dict entries + codes
 * (1), STR the n values in dict (0); dict is reset first. */
int rs_codec_get_str_codes(struct rs_block_cur *c, uint32_t *codes, struct rs_col *dict, size_t n,
			   struct rs_err *err);

/* -EIO "corrupt block in 'file' at offset N: why" for the stream at off. */
int rs_codec_corrupt(const struct rs_block_cur *c, size_t off, const char *why,
		     struct rs_err *err);

static inline uint64_t rs_codec_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The n bytes at p (n <= 8), as a little-endian number; no over-read. */
static inline uint64_t rs_codec_ld_small(const uint8_t *p, size_t n)
{
	uint32_t a, b;

	if (n >= 8) {
		uint64_t v;
		__builtin_memcpy(&v, p, 8);
		return v;
	}
	if (n >= 4) {
		__builtin_memcpy(&a, p, 4);
		__builtin_memcpy(&b, p + n - 4, 4);
		return (uint64_t)a | (uint64_t)b << ((n - 4) * 8);
	}
	if (!n)
		return 0;
	return (uint64_t)p[0] | (uint64_t)p[n >> 1] << ((n >> 1) * 8) |
	       (uint64_t)p[n - 1] << ((n - 1) * 8);
}

static inline uint64_t rs_codec_hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull), v;
	size_t left = n;

	while (left >= 8) {
		__builtin_memcpy(&v, p, 8);
		h = (h ^ v) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
		p += 8;
		left -= 8;
	}
	if (left) {
		/* the last 8 bytes, overlapping, or the whole short string */
		v = n >= 8 ? rs_codec_ld_small(p + left - 8, 8) : rs_codec_ld_small(p, left);
		h = (h ^ v) * 0x94d049bb133111ebull;
	}
	return rs_codec_mix64(h);
}

static inline int rs_codec_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	while (n >= 8) {
		uint64_t x, y;
		__builtin_memcpy(&x, a, 8);
		__builtin_memcpy(&y, b, 8);
		if (x != y)
			return 0;
		a += 8;
		b += 8;
		n -= 8;
	}
	return rs_codec_ld_small(a, n) == rs_codec_ld_small(b, n);
}

/* Size the hash table for up to 'cap' entries and clear it. -ENOMEM. */
int rs_codec_table(struct rs_codec *e, size_t cap);

#endif
