/*
 * csv.c - streaming RFC 4180 CSV reader (see csv.h).
 *
 * Hot path: a record lying wholly inside the chunk is tokenized in place and
 * its fields point into the caller's chunk (zero copy). The next special
 * byte (delimiter, quote, \n) is found with a 64-bit mask computed for 64
 * bytes at a time (SSE2 compares; a byte loop elsewhere), so unquoted data
 * costs a few instructions per field, not per byte. Inside quotes the same
 * bits are walked: delimiters skipped, \n counted (for line numbers), ""
 * noted.
 *
 * Cold path: a record cut by the end of the chunk is copied to 'carry'. A
 * small resumable state machine (scan_end) then looks for the end of that
 * record in the following chunks, appending up to it, and the complete
 * record is tokenized from 'carry' by the same code as the hot path. Both
 * must agree on where a record ends: the split tests check exactly that.
 *
 * Quoted fields with "" are unescaped into 'unesc' once the record is complete
 * (growing it cannot move earlier fields). rec.ascii: one pass per chunk.
 *
 * Malformed records and sticky errors: see csv.h.
 */
#include "csv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/util.h"

/* The delimiter is detected from at most this much of the first record. */
#define DETECT_MAX (64 * 1024)

/* States of scan_end, at the end of 'carry'. */
enum cstate {
	CS_FSTART,	/* at the start of a field */
	CS_UNQ,		/* inside an unquoted field */
	CS_QUO,		/* inside quotes */
	CS_QQ,		/* inside quotes, just after a '"' (close or "") */
	CS_AFTER,	/* after a closing quote */
	CS_AFTER_CR,	/* after a closing quote and \r */
	CS_RAW,		/* malformed: everything up to \n */
};

struct rs_csv {
	char delim;		/* 0 while detecting */
	size_t max_row;
	rs_csv_record_fn fn;
	void *ctx;
	uint64_t line;		/* physical line where the next record starts */
	int dead;		/* sticky error code */
	int finished;

	const char *ascii_lo, *ascii_hi;	/* the chunk being fed, if all ASCII */
	struct rs_buf carry;	/* partial record from earlier chunks */
	enum cstate cs;		/* scan_end state at the end of carry */

	int det_inq;		/* detection: inside quotes (parity) */
	unsigned det_count[4];	/* , ; \t | outside quotes */

	struct rs_field *fields;	/* of the record being built */
	unsigned fcap;
	unsigned *esc;		/* indexes of fields with "" to unescape */
	unsigned nesc, esccap;
	struct rs_buf unesc;
	char msg[128];		/* of a malformed record */
	char deadmsg[sizeof(((struct rs_err *)0)->msg)];
};

/* ---- finding special bytes ---- */

/* Iterator over the positions of delimiter, quote and \n bytes in
 * [blk, end): 'mask' has one bit per pending special byte of the 64-byte
 * block at blk. */
struct it {
	const char *blk, *end;
	uint64_t mask;
	char d;
#ifdef __SSE2__
	__m128i vd, vn, vq;
#endif
};

#ifdef __SSE2__
static inline uint64_t mask16(const struct it *it, const char *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)p);
	__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, it->vd),
					      _mm_cmpeq_epi8(v, it->vn)),
				 _mm_cmpeq_epi8(v, it->vq));

	return (uint16_t)_mm_movemask_epi8(m);
}

static inline uint64_t mask64(const struct it *it, const char *p)
{
	return mask16(it, p) | mask16(it, p + 16) << 16 |
	       mask16(it, p + 32) << 32 | mask16(it, p + 48) << 48;
}
#else
static inline uint64_t mask64(const struct it *it, const char *p)
{
	uint64_t m = 0;
	unsigned i;

	for (i = 0; i < 64; i++) {
		char ch = p[i];
		m |= (uint64_t)(ch == it->d || ch == '\n' || ch == '"') << i;
	}
	return m;
}
#endif

/* Mask of the block at p (p < end); zero-padded past end. */
static uint64_t blkmask(const struct it *it, const char *p)
{
	char tmp[64];

	if (it->end - p < 64) {
		memset(tmp, 0, sizeof(tmp));
		memcpy(tmp, p, (size_t)(it->end - p));
		p = tmp;
	}
	return mask64(it, p);
}

/* Pending specials are those at or after 'from'. */
static void it_seek(struct it *it, const char *from)
{
	if (from >= it->end) {
		it->blk = it->end;
		it->mask = 0;
	} else if (from < it->blk || from - it->blk >= 64) {
		it->blk = from;
		it->mask = blkmask(it, from);
	} else {
		it->mask &= ~0ULL << (from - it->blk);
	}
}

static void it_init(struct it *it, char d, const char *p, const char *end)
{
	it->d = d;
#ifdef __SSE2__
	it->vd = _mm_set1_epi8(d);
	it->vn = _mm_set1_epi8('\n');
	it->vq = _mm_set1_epi8('"');
#endif
	it->end = end;
	it->blk = p;
	it->mask = p < end ? blkmask(it, p) : 0;
}

/* Next special byte, or end. */
static inline const char *it_next(struct it *it)
{
	const char *r;

	while (!it->mask) {
		if (it->end - it->blk <= 64)
			return it->end;
		it->blk += 64;
		it->mask = blkmask(it, it->blk);
	}
	r = it->blk + __builtin_ctzll(it->mask);
	it->mask &= it->mask - 1;
	return r;
}

/* ---- building and delivering a record ---- */

static int grow_fields(struct rs_csv *c, struct rs_err *err)
{
	unsigned ncap = c->fcap ? c->fcap * 2 : 32;
	struct rs_field *f;

	if (c->fcap > UINT_MAX / 4)
		return rs_errf(err, -E2BIG, "too many csv fields at line %llu",
			       (unsigned long long)c->line);
	f = realloc(c->fields, ncap * sizeof(*f));
	if (!f)
		return rs_errf(err, -ENOMEM, "no memory for %u csv fields", ncap);
	c->fields = f;
	c->fcap = ncap;
	return 0;
}

static int push_esc(struct rs_csv *c, unsigned idx, struct rs_err *err)
{
	if (c->nesc == c->esccap) {
		unsigned ncap = c->esccap ? c->esccap * 2 : 8;
		unsigned *e = realloc(c->esc, ncap * sizeof(*e));

		if (!e)
			return rs_errf(err, -ENOMEM, "no memory for csv fields");
		c->esc = e;
		c->esccap = ncap;
	}
	c->esc[c->nesc++] = idx;
	return 0;
}

/* "" -> " in the fields listed in esc; they then point into unesc. */
static int unescape(struct rs_csv *c, struct rs_err *err)
{
	size_t total = 0;
	unsigned i;
	char *o;

	for (i = 0; i < c->nesc; i++)
		total += c->fields[c->esc[i]].len;
	rs_buf_reset(&c->unesc);
	if (rs_buf_reserve(&c->unesc, total))
		return rs_errf(err, -ENOMEM, "no memory for a %zu-byte csv field", total);
	o = c->unesc.data;
	for (i = 0; i < c->nesc; i++) {
		struct rs_field *f = &c->fields[c->esc[i]];
		const char *p = f->p, *end = f->p + f->len, *q;
		char *start = o;

		while ((q = memchr(p, '"', (size_t)(end - p)))) {
			memcpy(o, p, (size_t)(q - p + 1));
			o += q - p + 1;
			p = q + 2;	/* the second quote of the pair */
		}
		memcpy(o, p, (size_t)(end - p));
		o += end - p;
		f->p = start;
		f->len = (size_t)(o - start);
	}
	return 0;
}

static int too_big(struct rs_csv *c, struct rs_err *err)
{
	return rs_errf_at(err, -EFBIG, (unsigned)c->line, 0,
			  "row larger than max_row (%zu bytes) at line %llu",
			  c->max_row, (unsigned long long)c->line);
}

/* The record's raw bytes are [p, end) (for rec.ascii). */
static int deliver(struct rs_csv *c, unsigned nf, uint64_t nl, const char *bad,
		   uint64_t badline, const char *p, const char *end, struct rs_err *err)
{
	struct rs_csv_record rec;
	int rc;

	if (c->nesc && (rc = unescape(c, err)))
		return rc;
	rec.fields = c->fields;
	rec.nfields = nf;
	rec.line = c->line;
	rec.malformed = bad != NULL;
	rec.msg = NULL;
	rec.ascii = (c->ascii_hi && p >= c->ascii_lo && end <= c->ascii_hi) ||
		    rs_ascii_only(p, (size_t)(end - p));
	if (bad) {
		snprintf(c->msg, sizeof(c->msg), "%s at line %llu", bad,
			 (unsigned long long)badline);
		rec.msg = c->msg;
	}
	c->line += 1 + nl;
	return c->fn(c->ctx, &rec);
}

/* ---- the tokenizer ---- */

/*
 * Tokenize and deliver the record starting at p (p < end, nothing pending in
 * 'it' before p). Returns the bytes consumed (> 0), 0 when the record is
 * incomplete (no line end before 'end' and not final), or a negative errno.
 * With final, the end of the buffer ends the record.
 */
static ptrdiff_t record(struct rs_csv *c, struct it *it, const char *p,
			const char *end, int final, struct rs_err *err)
{
	const char d = c->delim;
	const char *q = p, *lim = end, *s, *r, *fs, *bad = NULL;
	size_t avail = (size_t)(end - p), len;
	uint64_t nl = 0, nl0 = 0, badline = 0;
	unsigned nf = 0;
	struct rs_field *f;
	int rc, more = 0, esc;

	/* an empty line */
	if (*p == '\n' || (*p == '\r' && (avail == 1 || p[1] == '\n'))) {
		if (*p == '\r' && avail == 1 && !final)
			return 0;
		len = *p == '\r' && avail > 1 ? 2 : 1;
		it_seek(it, p + len);
		c->line++;
		return (ptrdiff_t)len;
	}
	/* scan no further than a max_row record can reach */
	if (c->max_row && avail - 1 > c->max_row)
		lim = p + c->max_row + 1;
	c->nesc = 0;
	for (;;) {
		if (nf == c->fcap && (rc = grow_fields(c, err)))
			return rc;
		f = &c->fields[nf];
		if (q < lim && *q == '"') {
			/* walk the specials inside: count \n, skip delimiters */
			fs = it_next(it);	/* the opening quote */
			esc = 0;
			nl0 = nl;
			for (;;) {
				r = it_next(it);
				if (r >= lim)
					goto eob_quoted;
				if (*r == '\n') {
					nl++;
				} else if (*r == '"') {
					if (r + 1 == lim || r[1] != '"')
						break;
					it_next(it);	/* the second quote of "" */
					esc = 1;
				}
			}
			q = r + 1;
			if (q == lim) {
				if (lim < end || !final)
					goto eob;
			} else if (*q == d) {
				more = 1;
				it_next(it);
				q++;
			} else if (*q == '\n') {
				it_next(it);
				q++;
			} else if (*q == '\r' && q + 1 < lim && q[1] == '\n') {
				it_next(it);
				q += 2;
			} else if (*q == '\r' && q + 1 == lim) {
				if (lim < end || !final)
					goto eob;
				q++;
			} else {
				bad = "text after closing quote";
				badline = c->line + nl;
				goto raw;
			}
			f->p = fs + 1;
			f->len = (size_t)(r - fs - 1);
			f->quoted = 1;
			if (esc && (rc = push_esc(c, nf, err)))
				return rc;
			nf++;
			if (more) {
				more = 0;
				continue;
			}
			goto done;
		}
		s = it_next(it);
		if (s >= lim) {
			if (lim < end || !final)
				goto eob;
			len = (size_t)(end - q);
			if (len && end[-1] == '\r')
				len--;
			f->p = q;
			f->len = len;
			f->quoted = 0;
			nf++;
			q = end;
			goto done;
		}
		if (*s == d) {
			f->p = q;
			f->len = (size_t)(s - q);
			f->quoted = 0;
			nf++;
			q = s + 1;
			continue;
		}
		if (*s == '\n') {
			len = (size_t)(s - q);
			if (len && s[-1] == '\r')
				len--;
			f->p = q;
			f->len = len;
			f->quoted = 0;
			nf++;
			q = s + 1;
			goto done;
		}
		bad = "unexpected quote in unquoted field";
		badline = c->line + nl;
		fs = q;
		goto raw;
	}

eob_quoted:
	if (lim < end || !final)
		goto eob;
	bad = "unterminated quoted field";
	badline = c->line + nl0;
	len = (size_t)(end - fs);
	if (len && fs[len - 1] == '\n')
		len--;
	if (len && fs[len - 1] == '\r')
		len--;
	f->p = fs;
	f->len = len;
	f->quoted = 0;
	nf++;
	q = end;
	goto done;

raw:
	/* malformed: fields from fs up to \n, quotes are data */
	for (;;) {
		s = it_next(it);
		if (s < lim && *s == '"')
			continue;
		if (nf == c->fcap && (rc = grow_fields(c, err)))
			return rc;
		f = &c->fields[nf];
		f->p = fs;
		f->quoted = 0;
		if (s >= lim) {
			if (lim < end || !final)
				goto eob;
			len = (size_t)(end - fs);
			if (len && end[-1] == '\r')
				len--;
			f->len = len;
			nf++;
			q = end;
			break;
		}
		if (*s == d) {
			f->len = (size_t)(s - fs);
			nf++;
			fs = s + 1;
			continue;
		}
		len = (size_t)(s - fs);
		if (len && s[-1] == '\r')
			len--;
		f->len = len;
		nf++;
		q = s + 1;
		break;
	}

done:
	/* a record ended by the end of input: its length was not bounded by
	 * lim (which allows one more byte, for the \n) */
	if (c->max_row && q == end && end[-1] != '\n' &&
	    (size_t)(end - p) > c->max_row)
		return too_big(c, err);
	rc = deliver(c, nf, nl, bad, badline, p, q, err);
	return rc ? rc : q - p;

eob:	/* the buffer ends inside the record */
	return lim < end ? too_big(c, err) : 0;
}

/* ---- carried records ---- */

/* Continue scanning the carried record through [p, end): the position of
 * the \n that ends it, or NULL (c->cs then holds the state). */
static const char *scan_end(struct rs_csv *c, const char *p, const char *end)
{
	const char d = c->delim;
	enum cstate cs = c->cs;
	char ch;

	while (p < end) {
		switch (cs) {
		case CS_FSTART:
			ch = *p;
			if (ch == '"') {
				cs = CS_QUO;
				p++;
			} else if (ch == '\n') {
				c->cs = CS_FSTART;
				return p;
			} else if (ch == d) {
				p++;
			} else {
				cs = CS_UNQ;
				p++;
			}
			break;
		case CS_UNQ:
			for (; p < end; p++) {
				ch = *p;
				if (ch == d || ch == '\n' || ch == '"')
					break;
			}
			if (p == end)
				break;
			if (ch == '\n') {
				c->cs = CS_FSTART;
				return p;
			}
			cs = ch == d ? CS_FSTART : CS_RAW;
			p++;
			break;
		case CS_QUO:
			p = memchr(p, '"', (size_t)(end - p));
			if (!p) {
				c->cs = cs;
				return NULL;
			}
			p++;
			cs = CS_QQ;
			break;
		case CS_QQ:
			if (*p == '"') {
				cs = CS_QUO;
				p++;
			} else {
				cs = CS_AFTER;
			}
			break;
		case CS_AFTER:
			ch = *p;
			if (ch == '\n') {
				c->cs = CS_FSTART;
				return p;
			}
			cs = ch == d ? CS_FSTART : ch == '\r' ? CS_AFTER_CR : CS_RAW;
			p++;
			break;
		case CS_AFTER_CR:
			if (*p == '\n') {
				c->cs = CS_FSTART;
				return p;
			}
			cs = CS_RAW;
			p++;
			break;
		case CS_RAW:
			p = memchr(p, '\n', (size_t)(end - p));
			if (!p) {
				c->cs = cs;
				return NULL;
			}
			c->cs = CS_FSTART;
			return p;
		}
	}
	c->cs = cs;
	return NULL;
}

/* Start carrying the incomplete record [p, end). */
static int carry_start(struct rs_csv *c, const char *p, const char *end,
		       struct rs_err *err)
{
	size_t n = (size_t)(end - p);

	if (c->max_row && n > c->max_row)
		return too_big(c, err);
	rs_buf_reset(&c->carry);
	if (rs_buf_add(&c->carry, p, n))
		return rs_errf(err, -ENOMEM, "no memory for a %zu-byte csv row", n);
	c->cs = CS_FSTART;
	scan_end(c, p, end);
	return 0;
}

/* Tokenize the complete record in carry. */
static int carry_flush(struct rs_csv *c, int final, struct rs_err *err)
{
	const char *p = c->carry.data, *end = p + c->carry.len;
	struct it it;
	ptrdiff_t n;

	if (!c->carry.len)
		return 0;
	it_init(&it, c->delim, p, end);
	n = record(c, &it, p, end, final, err);
	if (n < 0)
		return (int)n;
	if (n != (ptrdiff_t)c->carry.len)	/* scan_end and record disagree */
		return rs_errf(err, -EILSEQ, "csv parser lost sync at line %llu",
			       (unsigned long long)c->line);
	rs_buf_reset(&c->carry);
	c->cs = CS_FSTART;
	return 0;
}

static int feed(struct rs_csv *c, const char *data, size_t len, struct rs_err *err)
{
	const char *p = data, *end = data + len, *e;
	struct it it;
	ptrdiff_t n = 0;
	int rc;

	if (c->carry.len) {
		e = scan_end(c, p, end);
		n = e ? e - p : end - p;	/* bytes of the record, without \n */
		if (c->max_row && c->carry.len + (size_t)n > c->max_row)
			return too_big(c, err);
		if (rs_buf_add(&c->carry, p, (size_t)(e ? n + 1 : n)))
			return rs_errf(err, -ENOMEM, "no memory for a %zu-byte csv row",
				       c->carry.len + (size_t)n);
		if (!e)
			return 0;
		if ((rc = carry_flush(c, 0, err)))
			return rc;
		p = e + 1;
	}
	if (p == end)
		return 0;
	/* one pass over the chunk spares a pass per record (usually all ASCII) */
	c->ascii_lo = p;
	c->ascii_hi = rs_ascii_only(p, (size_t)(end - p)) ? end : NULL;
	it_init(&it, c->delim, p, end);
	while (p < end) {
		n = record(c, &it, p, end, 0, err);
		if (n < 0)
			break;
		if (n == 0) {
			n = carry_start(c, p, end, err);
			break;
		}
		p += n;
	}
	c->ascii_lo = c->ascii_hi = NULL;	/* the chunk is the caller's again */
	return n < 0 ? (int)n : 0;
}

/* ---- delimiter detection ---- */

static const char cands[4] = { ',', ';', '\t', '|' };

static void detect_decide(struct rs_csv *c)
{
	unsigned best = 0, i, nbest = 0;

	for (i = 0; i < 4; i++)
		if (c->det_count[i] > best)
			best = c->det_count[i];
	c->delim = ',';
	if (!best)
		return;
	for (i = 0; i < 4; i++)
		if (c->det_count[i] == best)
			nbest++;
	if (nbest == 1)
		for (i = 0; i < 4; i++)
			if (c->det_count[i] == best)
				c->delim = cands[i];
}

/* Hand what detection buffered to the normal path. */
static int detect_replay(struct rs_csv *c, struct rs_err *err)
{
	struct rs_buf tmp = c->carry;
	int rc;

	c->carry = (struct rs_buf)RS_BUF_INIT;
	rc = tmp.len ? feed(c, tmp.data, tmp.len, err) : 0;
	rs_buf_release(&tmp);
	return rc;
}

/*
 * Buffer the first non-empty line (by quote parity: a \n inside quotes does
 * not end it), counting candidate delimiters outside quotes, until it is
 * complete or DETECT_MAX long; then decide and feed everything through.
 * Empty lines before it are counted and dropped.
 */
static int detect_feed(struct rs_csv *c, const char *p, size_t len, struct rs_err *err)
{
	const char *end = p + len, *q;
	int rc;
	char ch;

	while (p < end) {
		size_t room = DETECT_MAX - c->carry.len, n;

		for (q = p; q < end && (size_t)(q - p) < room; q++) {
			ch = *q;
			if (ch == '"')
				c->det_inq ^= 1;
			else if (!c->det_inq) {
				if (ch == '\n')
					break;
				c->det_count[0] += ch == ',';
				c->det_count[1] += ch == ';';
				c->det_count[2] += ch == '\t';
				c->det_count[3] += ch == '|';
			}
		}
		n = (size_t)(q - p);
		if (q < end && *q == '\n' && !c->det_inq &&
		    c->carry.len + n <= 1 &&
		    (c->carry.len ? c->carry.data[0] : n ? *p : '\r') == '\r') {
			/* an empty line */
			c->line++;
			rs_buf_reset(&c->carry);
			p = q + 1;
			continue;
		}
		if (rs_buf_add(&c->carry, p, n))
			return rs_errf(err, -ENOMEM, "no memory for a csv row");
		if (q == end)
			return 0;
		detect_decide(c);
		if ((rc = detect_replay(c, err)))
			return rc;
		return feed(c, q, (size_t)(end - q), err);
	}
	return 0;
}

/* ---- API ---- */

struct rs_csv *rs_csv_new(char delim, size_t max_row, rs_csv_record_fn fn, void *ctx)
{
	struct rs_csv *c = xcalloc(1, sizeof(*c));

	if (delim == '"' || delim == '\n' || delim == '\r')
		delim = 0;
	c->delim = delim;
	c->max_row = max_row;
	c->fn = fn;
	c->ctx = ctx;
	c->line = 1;
	c->cs = CS_FSTART;
	return c;
}

static int stopped(struct rs_csv *c, struct rs_err *err)
{
	return rs_errf(err, c->dead, "%s", c->deadmsg);
}

static int fail(struct rs_csv *c, int rc, struct rs_err *err)
{
	c->dead = rc;
	if (err && err->code == rc)
		snprintf(c->deadmsg, sizeof(c->deadmsg), "%s", err->msg);
	else
		snprintf(c->deadmsg, sizeof(c->deadmsg),
			 "csv input stopped by an earlier error");
	return rc;
}

int rs_csv_feed(struct rs_csv *c, const char *data, size_t len, struct rs_err *err)
{
	int rc;

	if (c->dead)
		return stopped(c, err);
	if (c->finished)
		return rs_errf(err, -EINVAL, "csv data after the end of input");
	if (!len)
		return 0;
	rc = c->delim ? feed(c, data, len, err) : detect_feed(c, data, len, err);
	return rc ? fail(c, rc, err) : 0;
}

int rs_csv_finish(struct rs_csv *c, struct rs_err *err)
{
	int rc = 0;

	if (c->dead)
		return stopped(c, err);
	if (c->finished)
		return 0;
	c->finished = 1;
	if (!c->delim) {
		detect_decide(c);
		rc = detect_replay(c, err);
	}
	if (!rc)
		rc = carry_flush(c, 1, err);
	return rc ? fail(c, rc, err) : 0;
}

char rs_csv_delim(const struct rs_csv *c)
{
	return c->delim;
}

void rs_csv_free(struct rs_csv *c)
{
	if (!c)
		return;
	rs_buf_release(&c->carry);
	rs_buf_release(&c->unesc);
	free(c->fields);
	free(c->esc);
	free(c);
}
