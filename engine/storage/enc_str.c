#include "enc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/err.h"
#include "../types/column.h"
#include "part_int.h"

#define STRDICT_HDR 12

/* Dictionary of the strings: codes in e->codes, first rows in e->ent.
 * Returns the number of distinct strings (and their total size in
 * *dict_bytes), 0 when more than cap. */
static size_t dict_str(struct rs_codec *e, const uint8_t *bytes, const uint64_t *offs, size_t n,
		       size_t cap, uint64_t *dict_bytes)
{
	size_t nd = 0;
	uint64_t db = 0;

	if (rs_codec_table(e, cap))
		return 0;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *v = bytes + offs[i];
		size_t len = (size_t)(offs[i + 1] - offs[i]);
		uint64_t h = rs_codec_hash(v, len);
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
				db += len;
				break;
			}
			if (e->ehash[x - 1] == h) {
				size_t r = e->ent[x - 1];
				if (offs[r + 1] - offs[r] == len &&
				    rs_codec_eq(bytes + offs[r], v, len)) {
					e->codes[i] = x - 1;
					break;
				}
			}
			s = (s + 1) & e->mask;
		}
		if (i == 1023 && nd > 768)	/* mostly distinct: give up early */
			return 0;
	}
	*dict_bytes = db;
	return nd;
}

static int strdict_payload(struct rs_codec *e, const uint8_t *bytes, const uint64_t *offs,
			   size_t n, size_t nd, uint64_t dict_bytes, struct rs_buf *out)
{
	unsigned cb = rs_codec_bits(nd - 1);
	uint8_t hdr[STRDICT_HDR] = { 0 };
	size_t cbytes = rs_codec_bp_bytes(n, cb);
	int rc;

	hdr[0] = (uint8_t)cb;
	rs_st32(hdr + 4, (uint32_t)nd);
	rs_st32(hdr + 8, (uint32_t)n);
	for (size_t j = 0; j < nd; j++)
		e->k[j] = offs[e->ent[j] + 1] - offs[e->ent[j]];
	if ((rc = rs_buf_add(out, hdr, sizeof(hdr))) || (rc = rs_codec_int_put(e, e->k, nd, out)) ||
	    (rc = rs_buf_reserve(out, dict_bytes + cbytes + 8)))
		return rc;
	for (size_t j = 0; j < nd; j++) {
		size_t r = e->ent[j], len = (size_t)(offs[r + 1] - offs[r]);
		memcpy(out->data + out->len, bytes + offs[r], len);
		out->len += len;
	}
	for (size_t i = 0; i < n; i++)
		e->t[i] = e->codes[i];
	rs_codec_bp_pack(e->t, n, cb, (uint8_t *)out->data + out->len);
	out->len += cbytes;
	out->data[out->len] = 0;
	return 0;
}

int rs_codec_put_str(struct rs_codec *e, const struct rs_col *c, size_t from, size_t n,
		     struct rs_buf *out)
{
	const uint64_t *offs;
	uint64_t total, maxlen = 0, dict_bytes = 0, plain_est, dict_est;
	size_t nd = 0;
	unsigned enc = RS_ENC_STR;
	int rc;

	if (n > UINT32_MAX)
		return -EFBIG;
	if ((rc = rs_codec_grow(e, n)))
		return rc;
	rs_buf_reset(&e->pay);
	if (!n) {
		if ((rc = rs_codec_int_put(e, e->k, 0, &e->pay)))
			return rc;
		return rs_block_put(out, enc, e->pay.data, e->pay.len);
	}
	offs = c->offs + from;
	total = offs[n] - offs[0];
	for (size_t i = 0; i < n; i++) {
		uint64_t len = offs[i + 1] - offs[i];
		e->k[i] = len;
		maxlen = len > maxlen ? len : maxlen;
	}
	plain_est = total * 8 + n * rs_codec_bits(maxlen);
	if (n >= 16)
		nd = dict_str(e, c->bytes, offs, n, n / 2, &dict_bytes);
	if (nd) {
		dict_est = dict_bytes * 8 + nd * rs_codec_bits(maxlen) + n * rs_codec_bits(nd - 1);
		if (dict_est * 10 < plain_est * 8)
			enc = RS_ENC_STRDICT;
	}
	if (enc == RS_ENC_STRDICT) {
		rc = strdict_payload(e, c->bytes, offs, n, nd, dict_bytes, &e->pay);
	} else {
		rc = rs_codec_int_put(e, e->k, n, &e->pay);
		if (!rc)
			rc = rs_buf_add(&e->pay, c->bytes + offs[0], (size_t)total);
	}
	if (rc)
		return rc;
	return rs_block_put(out, enc, e->pay.data, e->pay.len);
}

/* ---- decoding ---- */

static int reserve_bytes(struct rs_col *c, size_t extra)
{
	size_t need = c->nbytes + extra, cap;
	uint8_t *p;

	if (need < c->nbytes)
		return -ENOMEM;
	if (need <= c->bytes_cap && c->bytes)
		return 0;
	cap = c->bytes_cap ? c->bytes_cap : 256;
	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			return -ENOMEM;
		cap *= 2;
	}
	p = realloc(c->bytes, cap);
	if (!p)
		return -ENOMEM;
	c->bytes = p;
	c->bytes_cap = cap;
	return 0;
}

static int oom(const struct rs_block_cur *c, struct rs_err *err)
{
	return rs_errf(err, -ENOMEM, "out of memory reading '%s'", c->file ? c->file : "?");
}

/* Plain strings: lengths become offsets in o[0..n), then one copy. */
static int get_plain(const struct rs_block_cur *c, const struct rs_stream *s, struct rs_col *dst,
		     uint64_t *o, size_t n, const char **why, struct rs_err *err)
{
	struct rs_codec_intp ip;
	uint64_t rem, pos = dst->nbytes;

	if (rs_codec_int_parse(s->p, s->len, n, 8, 0, &ip)) {
		*why = "bad string lengths";
		return -EIO;
	}
	rs_codec_int_get(&ip, o);
	rem = s->len - ip.size;
	for (size_t i = 0; i < n; i++) {
		if (o[i] > rem) {
			*why = "string lengths exceed the stream";
			return -EIO;
		}
		rem -= o[i];
		pos += o[i];
		o[i] = pos;
	}
	if (rem) {
		*why = "trailing bytes after strings";
		return -EIO;
	}
	if (reserve_bytes(dst, (size_t)(pos - dst->nbytes)))
		return oom(c, err);
	if (pos > dst->nbytes)
		memcpy(dst->bytes + dst->nbytes, s->p + ip.size, (size_t)(pos - dst->nbytes));
	dst->nbytes = (size_t)pos;
	return 0;
}

static int get_dict(const struct rs_block_cur *c, const struct rs_stream *s, struct rs_col *dst,
		    uint64_t *o, size_t n, const char **why, struct rs_err *err)
{
	const uint8_t *p = s->p, *dict, *codes;
	struct rs_codec_intp ip;
	uint64_t *doff = NULL, dtotal = 0, total = 0, maxlen = 0;
	size_t nd, pos;
	unsigned cb;
	int rc = -EIO;

	*why = "bad string dictionary";
	if (s->len < STRDICT_HDR)
		return -EIO;
	cb = p[0];
	nd = rs_ld32(p + 4);
	if (p[1] || rs_ld16(p + 2) || cb > 32 || rs_ld32(p + 8) != n || (!nd && n))
		return -EIO;
	if (rs_codec_int_parse(p + STRDICT_HDR, s->len - STRDICT_HDR, nd, 8, 0, &ip))
		return -EIO;
	doff = malloc((nd + 1) * sizeof(*doff));
	if (!doff)
		return oom(c, err);
	rs_codec_int_get(&ip, doff + 1);
	dict = p + STRDICT_HDR + ip.size;
	doff[0] = 0;
	for (size_t j = 1; j <= nd; j++) {
		dtotal += doff[j];
		if (doff[j] > s->len || dtotal > s->len)
			goto out;
		doff[j] = dtotal;
	}
	if (dtotal > s->len - STRDICT_HDR - ip.size)
		goto out;
	codes = dict + dtotal;
	if (rs_codec_bp_bytes(n, cb) != s->len - STRDICT_HDR - ip.size - dtotal)
		goto out;
	rs_codec_bp_unpack(codes, cb, n, o);
	for (size_t i = 0; i < n; i++) {
		uint64_t len;

		if (o[i] >= nd)
			goto out;
		len = doff[o[i] + 1] - doff[o[i]];
		if (total + len < total)
			goto out;
		total += len;
	}
	/* 16 bytes of slack: short entries are copied 16 bytes at a time (the
	 * stream has RS_BLOCK_PAD readable bytes after it) */
	if (reserve_bytes(dst, (size_t)total + 16)) {
		rc = oom(c, err);
		goto out;
	}
	pos = dst->nbytes;
	for (size_t j = 0; j < nd; j++)
		maxlen = doff[j + 1] - doff[j] > maxlen ? doff[j + 1] - doff[j] : maxlen;
	if (maxlen <= 16) {
		for (size_t i = 0; i < n; i++) {
			uint64_t k = o[i];

			memcpy(dst->bytes + pos, dict + doff[k], 16);
			pos += (size_t)(doff[k + 1] - doff[k]);
			o[i] = pos;
		}
	} else {
		for (size_t i = 0; i < n; i++) {
			uint64_t k = o[i], len = doff[k + 1] - doff[k];

			memcpy(dst->bytes + pos, dict + doff[k], (size_t)len);
			pos += (size_t)len;
			o[i] = pos;
		}
	}
	dst->nbytes = pos;
	rc = 0;
	*why = NULL;
out:
	free(doff);
	return rc;
}

int rs_codec_get_str(struct rs_block_cur *c, struct rs_col *dst, size_t n, struct rs_err *err)
{
	struct rs_stream s;
	size_t off = c->pos;
	uint64_t *o = dst->offs + dst->n + 1;	/* the caller reserved n rows */
	const char *why = NULL;
	int rc;

	if ((rc = rs_block_stream(c, &s, NULL, 0, 0, err)))
		return rc;
	if (s.enc == RS_ENC_STR)
		rc = get_plain(c, &s, dst, o, n, &why, err);
	else if (s.enc == RS_ENC_STRDICT)
		rc = get_dict(c, &s, dst, o, n, &why, err);
	else {
		why = "unexpected encoding";
		rc = -EIO;
	}
	rs_block_release(&s);
	if (rc && why)
		return rs_codec_corrupt(c, off, why, err);
	return rc;
}

/*
 * Dictionary view of a string stream: for STRDICT, dict gets the ndict
 * entries and codes[0..n) their indexes (returns 1); for STR, dict gets the
 * n values themselves and codes are not written (returns 0). dict is reset
 * first. -EIO on corruption, -ENOMEM.
 */
int rs_codec_get_str_codes(struct rs_block_cur *c, uint32_t *codes, struct rs_col *dict, size_t n,
			   struct rs_err *err)
{
	struct rs_stream s;
	size_t off = c->pos, nd = 0;
	const char *why = NULL;
	int rc;

	rs_col_reset(dict);
	if ((rc = rs_block_stream(c, &s, NULL, 0, 0, err)))
		return rc;
	if (s.enc == RS_ENC_STR) {
		if (rs_col_reserve(dict, n)) {
			rc = oom(c, err);
		} else {
			rc = get_plain(c, &s, dict, dict->offs + 1, n, &why, err);
			if (!rc)
				dict->n = n;
		}
	} else if (s.enc == RS_ENC_STRDICT) {
		const uint8_t *p = s.p, *d;
		struct rs_codec_intp ip;
		uint64_t dtotal = 0;
		unsigned cb;

		why = "bad string dictionary";
		rc = -EIO;
		if (s.len < STRDICT_HDR)
			goto out;
		cb = p[0];
		nd = rs_ld32(p + 4);
		if (p[1] || rs_ld16(p + 2) || cb > 32 || rs_ld32(p + 8) != n || (!nd && n) ||
		    nd > s.len)
			goto out;
		if (rs_codec_int_parse(p + STRDICT_HDR, s.len - STRDICT_HDR, nd, 8, 0, &ip))
			goto out;
		if (rs_col_reserve(dict, nd)) {
			why = NULL;
			rc = oom(c, err);
			goto out;
		}
		/* the entry lengths, then their running sums, in place as the
		 * dictionary's offsets (dict->n stays 0 until all is checked) */
		rs_codec_int_get(&ip, dict->offs + 1);
		d = p + STRDICT_HDR + ip.size;
		dict->offs[0] = 0;
		for (size_t j = 1; j <= nd; j++) {
			uint64_t len = dict->offs[j];

			dtotal += len;
			if (len > s.len || dtotal > s.len)
				goto out;
			dict->offs[j] = dtotal;
		}
		if (dtotal > s.len - STRDICT_HDR - ip.size ||
		    rs_codec_bp_bytes(n, cb) != s.len - STRDICT_HDR - ip.size - dtotal)
			goto out;
		/* cb bits can name entries past the end */
		if (n && rs_codec_bp_unpack32(d + dtotal, cb, n, codes) >= nd)
			goto out;
		if (reserve_bytes(dict, (size_t)dtotal)) {
			why = NULL;
			rc = oom(c, err);
			goto out;
		}
		if (dtotal)
			memcpy(dict->bytes, d, (size_t)dtotal);
		dict->nbytes = (size_t)dtotal;
		dict->n = nd;
		why = NULL;
		rc = 1;
	} else {
		why = "unexpected encoding";
		rc = -EIO;
	}
out:
	rs_block_release(&s);
	if (rc < 0 && why) {
		rs_col_reset(dict);
		return rs_codec_corrupt(c, off, why, err);
	}
	return rc;
}
