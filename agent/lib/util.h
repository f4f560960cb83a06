/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Small shared pieces of the agent: error messages with context, a growable
 * byte buffer, whole-file I/O (atomic writes), hex, base64, SHA-256 and
 * strict number parsing.  Nothing here prints except pl_warn()/pl_error().
 */
#ifndef PL_UTIL_H
#define PL_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sodium.h>

#define PL_PROG "powerledger"

/* Exit codes of every verb. */
#define PL_EXIT_OK  0 /* success */
#define PL_EXIT_NEG 1 /* negative result: bad signature, proof raised with --fail-on-proof */
#define PL_EXIT_ERR 2 /* usage or system error */

/*
 * An error message travelling up from a library function to the verb that
 * prints it.  Library code never prints: it fills this and returns -errno.
 */
struct plerr {
	char msg[12288]; /* room for two PATH_MAX paths and the reason */
};

/* util.c APIs: */

/* Sets e->msg (if e) from fmt and returns ret, so `return plerr_set(e, -EINVAL, ...)` reads well. */
int plerr_set(struct plerr *e, int ret, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* snprintf for messages where cutting the text short is fine. */
void strfmt(char *dst, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prefixes e->msg with "what: " (a file name, usually). */
void plerr_prefix(struct plerr *e, const char *what);
/* "powerledger: <msg>\n" on stderr. */
void pl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pl_error(const struct plerr *e);

struct buf {
	uint8_t *p;
	size_t len;
	size_t cap;
};

/* All return 0 or -ENOMEM (leaving the buffer as it was); p stays NUL-terminated. */
int buf_reserve(struct buf *b, size_t extra);
int buf_put(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(struct buf *b);

/*
 * Opens path for reading if it is a regular file, at once: a FIFO, device,
 * socket or directory is refused without waiting (no reader blocks on a FIFO
 * without a writer, nothing hashes /dev/zero forever).  Every reader of a
 * user-named file goes through here.  Returns the fd (O_CLOEXEC, blocking)
 * or -errno with e set: "PATH: not a regular file (a FIFO)", -EISDIR for a
 * directory, -ELOOP for a symbolic link loop.
 */
int file_open_regular(const char *path, struct plerr *e);
/* Reads fd until end of file or cap bytes (EINTR retried): the count, or -errno. */
ssize_t read_full(int fd, void *p, size_t cap);

/*
 * Reads a whole regular file (at most max bytes) into out (appended), through
 * file_open_regular().  -ENOENT etc. from open, -EFBIG past max (a file
 * already larger is refused before reading); e says "PATH: reason".  On
 * error out is as it was, and freed if it was empty: callers need not.
 */
int file_read(const char *path, size_t max, struct buf *out, struct plerr *e);

#define AFILE_REPLACE (1U << 0) /* replace an existing path (--force); else -EEXIST, path untouched */

/*
 * Outputs.  No verb replaces an existing file unless the user said --force
 * (AFILE_REPLACE), and never one of its own inputs.
 *
 * out_check(): may path be written?  0 if it does not exist, or exists as a
 * regular file and force; -EEXIST "PATH: exists (use --force to replace it)";
 * -EISDIR / -EINVAL for a directory or another non-file, force or not.
 * out_not_input(): -EINVAL if out and in are the same file (same device and
 * inode, whatever the names), "OUT: is also an input (IN): refusing ...".
 */
int out_check(const char *path, bool force, struct plerr *e);
int out_not_input(const char *out, const char *in, struct plerr *e);
/* Both: out is none of in[0..nin) (NULL entries skipped), and out_check(). */
int out_check_inputs(const char *out, bool force, const char *const *in, size_t nin, struct plerr *e);
/* The AFILE_* flags for a verb's --force. */
static inline unsigned int afile_force(bool force)
{
	return force ? AFILE_REPLACE : 0;
}

/*
 * Writes p[0..n) to path atomically: a temporary file in the same directory,
 * fsync, rename to path (over it only with AFILE_REPLACE; without it the
 * rename itself refuses an existing path, so a file that appeared meanwhile
 * is not replaced either), fsync of the directory.  mode is applied to the
 * new file.  Returns 0 or -errno with e set.
 */
int file_write_atomic(const char *path, const void *p, size_t n, mode_t mode, unsigned int flags, struct plerr *e);


/* mkdir -p: path and its missing parents (mode, less umask).  -errno naming the part that failed. */
int mkdir_p(const char *path, mode_t mode, struct plerr *e);
bool path_is_dir(const char *path);
/* "DIR/NAME" (malloc'd) or NULL. */
char *path_join(const char *dir, const char *name);
/* Final component of path, without copying. */
const char *path_base(const char *path);
/*
 * s as printable ASCII for canonical JSON output: bytes outside 0x20..0x7e,
 * and '%' itself, as %XX (a file name is any bytes but NUL and '/').
 * malloc'd, or NULL.
 */
char *str_printable(const char *s);
/* Does s end with suffix? */
bool str_ends_with(const char *s, const char *suffix);

/* Lowercase hex; out must hold 2n+1 bytes. */
void hex_encode(const uint8_t *in, size_t n, char *out);
/* Exactly 2n lowercase hex digits -> n bytes; -EINVAL otherwise. */
int hex_decode(const char *in, uint8_t *out, size_t n);
/* 64 lowercase hex digits and nothing else? */
bool is_sha256_hex(const char *s);

#define SHA256_LEN     32
#define SHA256_HEX_LEN 65 /* with the NUL */
void sha256(const void *p, size_t n, uint8_t out[SHA256_LEN]);
void sha256_hex(const void *p, size_t n, char out[SHA256_HEX_LEN]);
/* SHA-256 of a file's bytes, streamed. */
int file_sha256_hex(const char *path, char out[SHA256_HEX_LEN], struct plerr *e);

/*
 * A file written whole or not at all, streamed: afile_open() creates
 * PATH.tmp.XXXXXX, afile_write() appends and hashes (the first error
 * sticks), afile_commit() fsyncs, renames to path, fsyncs the directory
 * and gives the SHA-256 of what was written; on any error, or after
 * afile_abort(), the temporary file is gone and path is untouched.
 */
struct afile {
	int fd, err;
	unsigned int flags; /* AFILE_* */
	const char *path;
	char *tmp;
	crypto_hash_sha256_state st;
};
/*
 * flags: AFILE_REPLACE or 0 (then -EEXIST at once if path exists, and at
 * commit if it appeared meanwhile: the temporary file is then kept, and
 * named in e, so that nothing written is lost).
 */
int afile_open(struct afile *f, const char *path, unsigned int flags, struct plerr *e);
void afile_write(struct afile *f, const void *p, size_t n);
int afile_commit(struct afile *f, mode_t mode, char digest[SHA256_HEX_LEN], struct plerr *e);
void afile_abort(struct afile *f);
/* rename(from, to), over an existing to only with AFILE_REPLACE (else -EEXIST, to untouched). */
int file_rename(const char *from, const char *to, unsigned int flags);

/* Standard padded base64, no newlines: malloc'd NUL-terminated string or NULL. */
char *b64_encode(const uint8_t *in, size_t n);
/*
 * Strict decode of standard padded base64 (no whitespace, canonical padding
 * bits): out is malloc'd (never NULL on success, even for n == 0).
 * -EINVAL if s is not exactly that.
 */
int b64_decode(const char *s, size_t n, uint8_t **out, size_t *outlen);
/* Same into a caller's buffer of cap bytes (used for secrets in sodium_malloc memory). */
int b64_decode_into(const char *s, size_t n, uint8_t *out, size_t cap, size_t *outlen);

/* Whole-string decimal parsing, no sign for unsigned, no spaces; -EINVAL / -ERANGE. */
int parse_i64(const char *s, int64_t *out);
int parse_u64(const char *s, uint64_t *out);
/*
 * Exact decimal parsing: "[-+]digits[.digits][e[-+]digits]" times
 * 10^scale, rounded half away from zero, into int64.  -EINVAL, -ERANGE.
 */
int parse_decimal_scaled(const char *s, int scale, int64_t *out);
/*
 * Duration: an integer with an optional unit ns, us, ms, s, min (default
 * ns), e.g. "1s", "250ms", "1000000".  Positive results only.
 */
int parse_duration_ns(const char *s, uint64_t *out_ns);
/* "8M", "512KiB", "1G", "4096": bytes (K/M/G and KiB/MiB/GiB are powers of 1024). */
int parse_size_bytes(const char *s, uint64_t *out);

#endif /* PL_UTIL_H */
