/*
 * block.h - checksummed, optionally lz4-compressed blocks (the unit of every
 * column file) and crc32c.
 *
 * A block is a 20-byte header followed by its packed payload (part_int.h has
 * the byte layout). Writers hand a whole encoded stream to rs_block_put,
 * which cuts it into chunks of at most RS_BLOCK_CHUNK raw bytes, compresses
 * each with lz4 when that saves at least 1/32 and stores it raw otherwise.
 * Readers walk a buffer holding consecutive blocks with a cursor; nothing
 * read from disk is trusted: sizes are bounded, the crc32c covers header and
 * payload, and lz4 must produce exactly raw_len bytes. Failures are -EIO with
 * a message naming the file and the block's offset.
 *
 * No global state besides a lazily built crc table; thread-safe.
 */
#ifndef RS_STORAGE_BLOCK_H
#define RS_STORAGE_BLOCK_H

#include <stddef.h>
#include <stdint.h>

struct rs_buf;
struct rs_err;

#define RS_BLOCK_MAGIC	 0x4b4c4252u	/* "RBLK" little-endian */
#define RS_BLOCK_HDR	 20u
#define RS_BLOCK_MAX_RAW (256u << 20)	/* readers refuse larger chunks */
#define RS_BLOCK_CHUNK	 (16u << 20)	/* writers cut streams at this size */
#define RS_BLOCK_PAD	 16u		/* readable slack after any payload */

/* Block flags. */
#define RS_BLOCK_MORE	 0x01		/* the stream continues in the next block */

enum rs_block_codec {
	RS_CODEC_NONE = 0,
	RS_CODEC_LZ4 = 1,
};

/* crc32c (Castagnoli) of p[0..n), continuing 'crc' (start with 0). Uses
 * SSE4.2 when the CPU has it, slicing-by-8 otherwise. */
uint32_t rs_block_crc32c(uint32_t crc, const void *p, size_t n);

/*
 * Append the blocks of one stream (encoding id 'enc', payload raw[0..len))
 * to out. Returns 0 or -ENOMEM.
 */
int rs_block_put(struct rs_buf *out, unsigned enc, const void *raw, size_t len);

/* A cursor over consecutive blocks in memory; p must have RS_BLOCK_PAD
 * readable bytes after p[len]. 'file' and 'base' (file offset of p[0]) are
 * only used in messages. */
struct rs_block_cur {
	const char *file;
	uint64_t base;
	const uint8_t *p;
	size_t len, pos;
	int trusted;		/* an image built in memory (rs_block_inflate) from
				 * checked blocks: checksums are not verified again */
};

/* One whole stream, chunks joined. p has RS_BLOCK_PAD zeroed or readable
 * bytes after p[len]. owned is set when p was allocated (free it with
 * rs_block_release). */
struct rs_stream {
	unsigned enc;
	const uint8_t *p;
	size_t len;
	uint8_t *owned;
};

/*
 * Read the next stream at the cursor (all its chunks), check and unpack it.
 * When direct is non-NULL and the stream is one chunk of encoding
 * 'direct_enc' and exactly 'direct_len' raw bytes, it is unpacked straight
 * into direct and *s has p = direct (owned = NULL). -EIO on corruption (also
 * when the cursor is at its end), -ENOMEM.
 */
int rs_block_stream(struct rs_block_cur *c, struct rs_stream *s, void *direct,
		    unsigned direct_enc, size_t direct_len, struct rs_err *err);
void rs_block_release(struct rs_stream *s);

/*
 * The blocks from the cursor to its end, checked, with every payload
 * unpacked (codec NONE, checksum recomputed): a granule image that the
 * same cursor reads without lz4 (gcache.h). *out is malloc'd with
 * RS_BLOCK_PAD zero bytes after *len. -EIO on corruption, -ENOMEM.
 */
int rs_block_inflate(struct rs_block_cur *c, uint8_t **out, size_t *len, struct rs_err *err);

#endif
