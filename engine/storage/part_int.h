/*
 * part_int.h - on-disk format of parts and the internals shared by the
 * storage files (block.c, enc_*.c, col_codec.c, part_*.c, table.c, merge.c).
 * All integers on disk are little-endian.
 *
 * PART DIRECTORY
 *
 *   <part>/meta      row count, schema, granule index, min/max (below)
 *   <part>/c<i>.bin  data of column i (schema order), granule after granule
 *
 * Column files are named by index because column names may hold any byte;
 * the names live in meta. meta is written last (tmp + fsync + rename), so a
 * part without meta is unfinished.
 *
 * META (version 1)
 *
 *   OFFSET SIZE DESCRIPTION
 *   0      8    magic "RSPART01"
 *   8      4    version (1)
 *   12     4    ncols
 *   16     8    nrows
 *   24     4    ngran (number of granules)
 *   28     4    flags (0)
 *   32     4*ngran  rows of each granule (1..RS_GRANULE_ROWS)
 *   then, per column:
 *          2    name length, then the name bytes
 *          2    type length, then the ClickHouse spelling (rs_type_name)
 *          8    size of c<i>.bin in bytes
 *          per granule:
 *            8  offset of the granule's first block in c<i>.bin
 *            1  min/max flags: 1 = min/max present, 2 = granule has NULLs
 *            if present: 2 + min bytes, 2 + max bytes (base type's native
 *            layout for fixed types, the bytes for strings)
 *   last   4    crc32c of every preceding byte
 *
 * Granule g of column i is bytes [off[g], off[g+1]) of c<i>.bin, with
 * off[ngran] = file size: a sequence of streams, each one or more blocks.
 *
 * BLOCK (block.h)
 *
 *   OFFSET SIZE DESCRIPTION
 *   0      4    magic "RBLK"
 *   4      1    codec: 0 none, 1 lz4 block format
 *   5      1    encoding of the stream (RS_ENC_*)
 *   6      1    flags: 1 = the stream continues in the next block
 *   7      1    reserved (0)
 *   8      4    raw_len: payload bytes after decompression (<= 256 MiB)
 *   12     4    packed_len: payload bytes that follow (== raw_len for none)
 *   16     4    crc32c of bytes 0..15 and of the packed payload
 *   20     ...  packed payload
 *
 * STREAMS OF A GRANULE (n rows), in this order, recursively:
 *
 *   Nullable(T)   null map: n UInt8 (1 = NULL) as an INT stream; then T
 *   fixed types   values: RAW, INT (integer-like types) or DICT
 *   String        STR or STRDICT
 *   Array(T)      element counts: n UInt64 as an INT stream; then T for the
 *                 sum of the counts
 *
 * ENCODINGS (raw payload of a stream; "INT payload" is also nested)
 *
 *   RS_ENC_RAW      n * width bytes, as in memory
 *   RS_ENC_INT      INT payload of n values
 *   RS_ENC_DICT     0 u8 code bits, 1 u8 0, 2 u16 0, 4 u32 ndict,
 *                   8 u32 n, 12 u32 width, 16 ndict * width dictionary
 *                   bytes, then n codes bit-packed
 *   RS_ENC_STR      INT payload of n lengths, then the concatenated bytes
 *   RS_ENC_STRDICT  0 u8 code bits, 1 u8 0, 2 u16 0, 4 u32 ndict, 8 u32 n,
 *                   12 INT payload of ndict lengths, dictionary bytes, then
 *                   n codes bit-packed
 *
 *   INT payload     0 u8 mode, 1 u8 bits, 2 u8 width, 3 u8 flags (1 = signed),
 *                   4 u32 n, 8 u64 base, 16 u64 first, 24 data
 *     Values become order-preserving u64 keys (signed: sign-extended, then
 *     bit 63 flipped); modes:
 *       0 FOR      data = n keys - base, bit-packed with 'bits' bits
 *       1 DELTA    key[0] = first, key[i] = key[i-1] + base + d[i-1]; data =
 *                  n - 1 values d bit-packed with 'bits' bits
 *       2 FOR8     as FOR, each value stored in 'bits' BYTES (1, 2, 4, 8)
 *       3 DELTA8   as DELTA, each d stored in 'bits' BYTES
 *     Byte-aligned modes let lz4 find runs (sorted timestamps: deltas of 0
 *     and 1 repeat, lz4 then shrinks them 100x where bit-packing gives 32x).
 *
 *   Bit-packing: value i occupies bits [i*b, i*b+b) of the data, least
 *   significant bit first (byte k holds bits 8k..8k+7); ceil(n*b/8) bytes.
 */
#ifndef RS_STORAGE_PART_INT_H
#define RS_STORAGE_PART_INT_H

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "../types/schema.h"
#include "block.h"
#include "part.h"

struct rs_buf;
struct rs_err;

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "roost storage assumes a little-endian host"
#endif

#define RS_META_MAGIC	"RSPART01"
#define RS_META_VERSION 1
#define RS_META_HDR	32
#define RS_MM_KNOWN	1
#define RS_MM_NULLS	2
#define RS_MM_MAXLEN	64	/* longer string min/max are not kept */

enum rs_enc_id {
	RS_ENC_RAW = 0,
	RS_ENC_INT = 1,
	RS_ENC_DICT = 2,
	RS_ENC_STR = 3,
	RS_ENC_STRDICT = 4,
};

static inline uint16_t rs_ld16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}
static inline uint32_t rs_ld32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}
static inline uint64_t rs_ld64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}
static inline void rs_st16(void *p, uint16_t v)
{
	memcpy(p, &v, 2);
}
static inline void rs_st32(void *p, uint32_t v)
{
	memcpy(p, &v, 4);
}
static inline void rs_st64(void *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* Per-granule min/max of one column, bytes in pcol.mm_bytes. */
struct rs_mm {
	uint8_t flags;		/* RS_MM_* */
	uint32_t min_off, min_len, max_off, max_len;
};

struct rs_pcol {
	char *path;		/* <dir>/c<i>.bin */
	atomic_int fd;		/* opened on first read, -1 before */
	uint64_t *offs;		/* ngran + 1 */
	struct rs_mm *mm;	/* ngran */
	uint8_t *mm_bytes;
};

struct rs_part {
	atomic_int refs;
	atomic_int doomed;	/* remove the directory at the last unref */
	uint64_t serial;	/* this open's key in the granule cache (gcache.h) */
	char *dir;
	struct rs_schema schema;
	uint64_t nrows, nbytes;
	unsigned ngran;
	uint32_t *grows;	/* rows of each granule */
	struct rs_pcol *cols;
};

/* ---- col_codec.c: one granule of one column <-> its streams ---- */

struct rs_codec;

/* Encoder scratch, reused across granules (one per writer). */
struct rs_codec *rs_codec_new(void);
void rs_codec_free(struct rs_codec *e);

/* Append the streams of rows [from, from+count) of c to out. -ENOMEM, -EFBIG. */
int rs_codec_put_col(struct rs_codec *e, const struct rs_col *c, size_t from, size_t count,
		     struct rs_buf *out);
/* Decode the streams of 'rows' rows at the cursor, appending to dst. */
int rs_codec_get_col(struct rs_block_cur *cur, struct rs_col *dst, size_t rows, struct rs_err *err);

/*
 * Min/max of rows [from, from+count) of a scalar column: appends the flags
 * byte and, when known, "u16 len, min, u16 len, max" to out (meta layout).
 */
int rs_codec_minmax_put(const struct rs_col *c, size_t from, size_t count, struct rs_buf *out);
/* Byte length of a kept min/max for type t: -1 = never kept, 0 = strings (up
 * to RS_MM_MAXLEN), else the fixed width. */
int rs_codec_minmax_len(const struct rs_type *t);

/* ---- part_read.c ---- */

/* Mark p so its directory is removed when its last reference goes. */
void rs_part_doom(struct rs_part *p);

/* ---- table.c, for merge.c ---- */

struct rs_table;

/*
 * Under the table lock: if every part of old[0..nold) is still live, replace
 * them by nw (which gets the table's reference) in a new manifest and
 * snapshot and return 1; else return 0 and leave the table unchanged.
 */
/* rs_table_swap: nw may be NULL (the old parts are dropped). */
int rs_table_swap(struct rs_table *t, struct rs_part **old, unsigned nold, struct rs_part *nw,
		  struct rs_err *err);

#endif
