#include "block.h"

#include <errno.h>
#include <lz4.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "part_int.h"

/* ---- crc32c ---- */

static uint32_t crc_tab[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;
static int crc_have_hw;

static void crc_init(void)
{
	for (unsigned i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc_tab[0][i] = c;
	}
	for (unsigned i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc_tab[t][i] = (crc_tab[t - 1][i] >> 8) ^
					crc_tab[0][crc_tab[t - 1][i] & 0xff];
#if defined(__x86_64__)
	__builtin_cpu_init();
	crc_have_hw = __builtin_cpu_supports("sse4.2");
#endif
}

static uint32_t crc_sw(uint32_t c, const uint8_t *p, size_t n)
{
	while (n >= 8) {
		uint64_t v = rs_ld64(p) ^ c;
		c = crc_tab[7][v & 0xff] ^ crc_tab[6][(v >> 8) & 0xff] ^
		    crc_tab[5][(v >> 16) & 0xff] ^ crc_tab[4][(v >> 24) & 0xff] ^
		    crc_tab[3][(v >> 32) & 0xff] ^ crc_tab[2][(v >> 40) & 0xff] ^
		    crc_tab[1][(v >> 48) & 0xff] ^ crc_tab[0][v >> 56];
		p += 8;
		n -= 8;
	}
	while (n--)
		c = (c >> 8) ^ crc_tab[0][(c ^ *p++) & 0xff];
	return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t c, const uint8_t *p,
							  size_t n)
{
	uint64_t c64 = c;

	while (n >= 8) {
		c64 = __builtin_ia32_crc32di(c64, rs_ld64(p));
		p += 8;
		n -= 8;
	}
	c = (uint32_t)c64;
	while (n--)
		c = __builtin_ia32_crc32qi(c, *p++);
	return c;
}
#endif

uint32_t rs_block_crc32c(uint32_t crc, const void *p, size_t n)
{
	pthread_once(&crc_once, crc_init);
#if defined(__x86_64__)
	if (crc_have_hw)
		return ~crc_hw(~crc, p, n);
#endif
	return ~crc_sw(~crc, p, n);
}

/* ---- writing ---- */

int rs_block_put(struct rs_buf *out, unsigned enc, const void *raw, size_t len)
{
	const uint8_t *r = raw;

	do {
		size_t n = len > RS_BLOCK_CHUNK ? RS_BLOCK_CHUNK : len;
		int bound = LZ4_compressBound((int)n);
		unsigned codec = RS_CODEC_NONE;
		uint8_t *h, *pl;
		int packed = 0;
		uint32_t crc;

		if (rs_buf_reserve(out, RS_BLOCK_HDR + (size_t)bound))
			return -ENOMEM;
		h = (uint8_t *)out->data + out->len;
		pl = h + RS_BLOCK_HDR;
		/* lz4 must save 1/32 to be worth its decoding time */
		if (n >= 64) {
			packed = LZ4_compress_default((const char *)r, (char *)pl, (int)n,
						      bound);
			if (packed > 0 && (size_t)packed <= n - n / 32)
				codec = RS_CODEC_LZ4;
		}
		if (codec == RS_CODEC_NONE) {
			if (n)
				memcpy(pl, r, n);
			packed = (int)n;
		}
		rs_st32(h, RS_BLOCK_MAGIC);
		h[4] = (uint8_t)codec;
		h[5] = (uint8_t)enc;
		h[6] = len > n ? RS_BLOCK_MORE : 0;
		h[7] = 0;
		rs_st32(h + 8, (uint32_t)n);
		rs_st32(h + 12, (uint32_t)packed);
		crc = rs_block_crc32c(0, h, 16);
		crc = rs_block_crc32c(crc, pl, (size_t)packed);
		rs_st32(h + 16, crc);
		out->len += RS_BLOCK_HDR + (size_t)packed;
		out->data[out->len] = 0;
		r += n;
		len -= n;
	} while (len);
	return 0;
}

/* ---- reading ---- */

struct hdr {
	unsigned codec, enc, flags;
	uint32_t raw_len, packed_len;
	const uint8_t *packed;
	size_t off;		/* in the cursor */
};

static int corrupt(const struct rs_block_cur *c, size_t off, const char *why,
		   struct rs_err *err)
{
	return rs_errf(err, -EIO, "corrupt block in '%s' at offset %llu: %s",
		       c->file ? c->file : "?", (unsigned long long)(c->base + off), why);
}

static int next_hdr(struct rs_block_cur *c, struct hdr *h, struct rs_err *err)
{
	const uint8_t *p = c->p + c->pos;
	size_t avail = c->len - c->pos;
	uint32_t crc;

	h->off = c->pos;
	if (avail < RS_BLOCK_HDR)
		return corrupt(c, c->pos, avail ? "truncated block header" : "missing block",
			       err);
	if (rs_ld32(p) != RS_BLOCK_MAGIC)
		return corrupt(c, c->pos, "bad magic", err);
	h->codec = p[4];
	h->enc = p[5];
	h->flags = p[6];
	h->raw_len = rs_ld32(p + 8);
	h->packed_len = rs_ld32(p + 12);
	h->packed = p + RS_BLOCK_HDR;
	if (h->codec > RS_CODEC_LZ4 || (h->flags & ~RS_BLOCK_MORE) || p[7])
		return corrupt(c, c->pos, "bad block header", err);
	if (h->raw_len > RS_BLOCK_MAX_RAW)
		return corrupt(c, c->pos, "raw size too large", err);
	if (h->codec == RS_CODEC_NONE ? h->packed_len != h->raw_len :
	    !h->packed_len || !h->raw_len ||
	    h->packed_len > (uint32_t)LZ4_compressBound((int)h->raw_len))
		return corrupt(c, c->pos, "bad packed size", err);
	if (h->packed_len > avail - RS_BLOCK_HDR)
		return corrupt(c, c->pos, "block extends past its granule", err);
	if (!c->trusted) {
		crc = rs_block_crc32c(0, p, 16);
		crc = rs_block_crc32c(crc, h->packed, h->packed_len);
		if (crc != rs_ld32(p + 16))
			return corrupt(c, c->pos, "checksum mismatch", err);
	}
	c->pos += RS_BLOCK_HDR + h->packed_len;
	return 0;
}

static int unpack(const struct rs_block_cur *c, const struct hdr *h, uint8_t *dst,
		  struct rs_err *err)
{
	int r;

	if (h->codec == RS_CODEC_NONE) {
		if (h->raw_len)
			memcpy(dst, h->packed, h->raw_len);
		return 0;
	}
	r = LZ4_decompress_safe((const char *)h->packed, (char *)dst, (int)h->packed_len,
				(int)h->raw_len);
	if (r < 0 || (uint32_t)r != h->raw_len)
		return corrupt(c, h->off, "bad lz4 data", err);
	return 0;
}

int rs_block_stream(struct rs_block_cur *c, struct rs_stream *s, void *direct,
		    unsigned direct_enc, size_t direct_len, struct rs_err *err)
{
	struct hdr h;
	uint8_t *buf = NULL;
	size_t total = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = next_hdr(c, &h, err)))
		return rc;
	s->enc = h.enc;
	if (!(h.flags & RS_BLOCK_MORE)) {
		if (direct && h.enc == direct_enc && h.raw_len == direct_len) {
			if ((rc = unpack(c, &h, direct, err)))
				return rc;
			s->p = direct;
			s->len = h.raw_len;
			return 0;
		}
		if (h.codec == RS_CODEC_NONE) {
			s->p = h.packed;
			s->len = h.raw_len;
			return 0;
		}
	}
	for (;;) {
		uint8_t *nb;

		if (total + h.raw_len < total || total + h.raw_len > SIZE_MAX - RS_BLOCK_PAD) {
			rc = corrupt(c, h.off, "stream too large", err);
			goto fail;
		}
		nb = realloc(buf, total + h.raw_len + RS_BLOCK_PAD);
		if (!nb) {
			rc = rs_errf(err, -ENOMEM, "out of memory reading '%s'",
				     c->file ? c->file : "?");
			goto fail;
		}
		buf = nb;
		if ((rc = unpack(c, &h, buf + total, err)))
			goto fail;
		total += h.raw_len;
		if (!(h.flags & RS_BLOCK_MORE))
			break;
		if ((rc = next_hdr(c, &h, err)))
			goto fail;
		if (h.enc != s->enc) {
			rc = corrupt(c, h.off, "encoding changes inside a stream", err);
			goto fail;
		}
	}
	memset(buf + total, 0, RS_BLOCK_PAD);
	s->p = buf;
	s->len = total;
	s->owned = buf;
	return 0;
fail:
	free(buf);
	return rc;
}

void rs_block_release(struct rs_stream *s)
{
	free(s->owned);
	memset(s, 0, sizeof(*s));
}

int rs_block_inflate(struct rs_block_cur *c, uint8_t **out, size_t *len, struct rs_err *err)
{
	size_t start = c->pos, total = 0, pos = 0;
	uint8_t *buf;
	struct hdr h;
	int rc;

	/* sizes first (headers are checked again below, with the payloads) */
	while (c->pos < c->len) {
		if ((rc = next_hdr(c, &h, err)))
			return rc;
		total += RS_BLOCK_HDR + h.raw_len;
	}
	c->pos = start;
	if (!(buf = malloc(total + RS_BLOCK_PAD)))
		return rs_errf(err, -ENOMEM, "out of memory reading '%s'", c->file ? c->file : "?");
	while (c->pos < c->len) {
		uint8_t *o = buf + pos;
		uint32_t crc;

		if ((rc = next_hdr(c, &h, err)) || (rc = unpack(c, &h, o + RS_BLOCK_HDR, err))) {
			free(buf);
			return rc;
		}
		rs_st32(o, RS_BLOCK_MAGIC);
		o[4] = RS_CODEC_NONE;
		o[5] = (uint8_t)h.enc;
		o[6] = (uint8_t)h.flags;
		o[7] = 0;
		rs_st32(o + 8, h.raw_len);
		rs_st32(o + 12, h.raw_len);
		crc = rs_block_crc32c(0, o, 16);
		crc = rs_block_crc32c(crc, o + RS_BLOCK_HDR, h.raw_len);
		rs_st32(o + 16, crc);
		pos += RS_BLOCK_HDR + h.raw_len;
	}
	memset(buf + pos, 0, RS_BLOCK_PAD);
	*out = buf;
	*len = pos;
	return 0;
}
