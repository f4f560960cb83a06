// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Shared helpers: errors, buffers, files, hex, base64, SHA-256, numbers.
 * Base64 and SHA-256 come from libsodium so there is one implementation of
 * each in the agent.
 */
#define _GNU_SOURCE /* renameat2 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/util.h"

int plerr_set(struct plerr *e, int ret, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return ret;
}

void strfmt(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, n, fmt, ap);
	va_end(ap);
}

void plerr_prefix(struct plerr *e, const char *what)
{
	char tmp[sizeof(e->msg)];

	if (!e || !what)
		return;
	strfmt(tmp, sizeof(tmp), "%s: %s", what, e->msg);
	memcpy(e->msg, tmp, sizeof(tmp));
}

void pl_warn(const char *fmt, ...)
{
	va_list ap;

	fputs(PL_PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void pl_error(const struct plerr *e)
{
	pl_warn("%s", e->msg[0] ? e->msg : "unknown error");
}

int buf_reserve(struct buf *b, size_t extra)
{
	size_t want, cap;
	uint8_t *p;

	if (extra > SIZE_MAX - b->len - 1)
		return -ENOMEM;
	want = b->len + extra + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int buf_put(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n))
		return -ENOMEM;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0;
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_put(b, s, strlen(s));
}

int buf_putc(struct buf *b, char c)
{
	return buf_put(b, &c, 1);
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if (buf_reserve(b, (size_t)n))
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

ssize_t read_full(int fd, void *p, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	while (n < cap) {
		r = read(fd, (char *)p + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

static const char *file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a plain file";
}

int file_open_regular(const char *path, struct plerr *e)
{
	struct stat st;
	int fd, fl;

	/*
	 * O_NONBLOCK: opening a FIFO without a writer would wait for one;
	 * O_NOCTTY: a terminal must not become ours.  Both are refused below.
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return plerr_set(e, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		int ret = plerr_set(e, -errno, "%s: %s", path, strerror(errno));

		close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return plerr_set(e, S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL, "%s: not a regular file (%s)", path,
				 file_kind(st.st_mode));
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

int file_read(const char *path, size_t max, struct buf *out, struct plerr *e)
{
	size_t start = out->len;
	struct stat st;
	int fd, ret;
	ssize_t r;

	fd = file_open_regular(path, e);
	if (fd < 0)
		return fd;
	/* Refuse before reading what is already too large (it may still grow: checked as we read). */
	if (fstat(fd, &st) == 0 && (uint64_t)st.st_size > max) {
		ret = plerr_set(e, -EFBIG, "%s: larger than %zu bytes", path, max);
		goto out;
	}
	for (;;) {
		/* The file may grow while we read: the limit is on what we read. */
		if (out->len - start > max) {
			ret = plerr_set(e, -EFBIG, "%s: larger than %zu bytes", path, max);
			goto out;
		}
		if (buf_reserve(out, 65536)) {
			ret = plerr_set(e, -ENOMEM, "%s: out of memory", path);
			goto out;
		}
		r = read_full(fd, out->p + out->len, 65536);
		if (r < 0) {
			ret = plerr_set(e, (int)r, "%s: %s", path, strerror((int)-r));
			goto out;
		}
		out->len += (size_t)r;
		if (r < 65536)
			break; /* end of file */
	}
	if (out->len - start > max) {
		ret = plerr_set(e, -EFBIG, "%s: larger than %zu bytes", path, max);
		goto out;
	}
	out->p[out->len] = 0;
	ret = 0;
out:
	if (ret && start == 0) {
		buf_free(out); /* nothing of the caller's to keep: nothing to leak either */
	} else if (ret) {
		out->len = start;
		out->p[start] = 0;
	}
	close(fd);
	return ret;
}

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *q = p;
	ssize_t w;

	while (n) {
		w = write(fd, q, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		q += w;
		n -= (size_t)w;
	}
	return 0;
}

static void fsync_parent(const char *path)
{
	char *dir = strdup(path), *slash;
	int fd;

	if (!dir)
		return;
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = 0;
	else if (slash)
		*slash = 0;
	else
		strcpy(dir, ".");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd); /* best effort: the rename itself already happened */
		close(fd);
	}
	free(dir);
}

int out_check(const char *path, bool force, struct plerr *e)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return plerr_set(e, -errno, "%s: %s", path, strerror(errno));
	}
	if (S_ISLNK(st.st_mode) && stat(path, &st) < 0)
		return force ? 0 : plerr_set(e, -EEXIST, "%s: exists (a dangling symbolic link; use --force to replace it)",
					     path);
	if (!S_ISREG(st.st_mode))
		return plerr_set(e, S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL,
				 "%s: exists and is %s, not a file to replace", path, file_kind(st.st_mode));
	if (!force)
		return plerr_set(e, -EEXIST, "%s: exists (use --force to replace it)", path);
	return 0;
}

int out_not_input(const char *out, const char *in, struct plerr *e)
{
	struct stat so, si;

	if (stat(out, &so) < 0 || stat(in, &si) < 0)
		return 0; /* an output that does not exist yet is nobody's input */
	if (so.st_dev == si.st_dev && so.st_ino == si.st_ino)
		return plerr_set(e, -EINVAL, "%s: is also an input (%s): refusing to replace it, even with --force", out,
				 in);
	return 0;
}

int out_check_inputs(const char *out, bool force, const char *const *in, size_t nin, struct plerr *e)
{
	size_t i;
	int ret;

	for (i = 0; i < nin; i++) {
		if (!in[i])
			continue;
		ret = out_not_input(out, in[i], e);
		if (ret)
			return ret;
	}
	return out_check(out, force, e);
}

int afile_open(struct afile *f, const char *path, unsigned int flags, struct plerr *e)
{
	size_t len = strlen(path);

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->path = path;
	f->flags = flags;
	if (flags & ~AFILE_REPLACE)
		return plerr_set(e, -EINVAL, "%s: bad output flags %#x", path, flags);
	/* Fail before the work, not after it; commit checks again, atomically. */
	if (!(flags & AFILE_REPLACE)) {
		int ret = out_check(path, false, e);

		if (ret)
			return ret;
	}
	f->tmp = malloc(len + 16);
	if (!f->tmp)
		return plerr_set(e, -ENOMEM, "%s: out of memory", path);
	snprintf(f->tmp, len + 16, "%s.tmp.XXXXXX", path);
	f->fd = mkstemp(f->tmp);
	if (f->fd < 0) {
		int ret = plerr_set(e, -errno, "%s: cannot create temporary file: %s", path, strerror(errno));

		free(f->tmp);
		f->tmp = NULL;
		return ret;
	}
	crypto_hash_sha256_init(&f->st);
	return 0;
}

void afile_write(struct afile *f, const void *p, size_t n)
{
	if (f->err || f->fd < 0)
		return;
	f->err = write_all(f->fd, p, n);
	crypto_hash_sha256_update(&f->st, p, (unsigned long long)n);
}

void afile_abort(struct afile *f)
{
	if (f->fd >= 0) {
		close(f->fd);
		unlink(f->tmp);
	}
	free(f->tmp);
	f->tmp = NULL;
	f->fd = -1;
}

/*
 * rename(), or with noreplace one that fails with -EEXIST instead of
 * replacing: renameat2(RENAME_NOREPLACE), or link() + unlink() on file
 * systems without it.
 */
static int commit_rename(const char *tmp, const char *path, bool noreplace)
{
	if (!noreplace)
		return rename(tmp, path) < 0 ? -errno : 0;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	if (link(tmp, path) < 0)
		return -errno;
	unlink(tmp);
	return 0;
}

int file_rename(const char *from, const char *to, unsigned int flags)
{
	return commit_rename(from, to, !(flags & AFILE_REPLACE));
}

int afile_commit(struct afile *f, mode_t mode, char digest[SHA256_HEX_LEN], struct plerr *e)
{
	uint8_t h[SHA256_LEN];
	int ret = f->err;

	if (f->fd < 0)
		return plerr_set(e, -EBADF, "%s: not open", f->path);
	if (!ret && fchmod(f->fd, mode) < 0)
		ret = -errno;
	if (!ret && fsync(f->fd) < 0)
		ret = -errno;
	if (close(f->fd) < 0 && !ret)
		ret = -errno;
	f->fd = -1;
	if (!ret)
		ret = commit_rename(f->tmp, f->path, !(f->flags & AFILE_REPLACE));
	if (ret == -EEXIST) {
		/* It appeared while we wrote: theirs stays, and so does ours, under its temporary name. */
		plerr_set(e, ret, "%s: exists (it appeared while being written; use --force to replace it): "
			  "what was written is kept in %s", f->path, f->tmp);
	} else if (ret) {
		unlink(f->tmp);
		plerr_set(e, ret, "%s: %s", f->path, strerror(-ret));
	} else {
		fsync_parent(f->path);
		crypto_hash_sha256_final(&f->st, h);
		if (digest)
			hex_encode(h, SHA256_LEN, digest);
	}
	free(f->tmp);
	f->tmp = NULL;
	return ret;
}

int file_write_atomic(const char *path, const void *p, size_t n, mode_t mode, unsigned int flags, struct plerr *e)
{
	struct afile f;
	int ret = afile_open(&f, path, flags, e);

	if (ret)
		return ret;
	afile_write(&f, p, n);
	return afile_commit(&f, mode, NULL, e);
}

char *str_printable(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0, i;
	char *out, *o;

	for (i = 0; s[i]; i++)
		n += (unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e || s[i] == '%' ? 3 : 1;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	for (o = out, i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e || c == '%') {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		} else {
			*o++ = (char)c;
		}
	}
	*o = 0;
	return out;
}

int mkdir_p(const char *path, mode_t mode, struct plerr *e)
{
	char *p, *q;
	struct stat st;
	int ret = 0;

	if (!*path)
		return plerr_set(e, -EINVAL, "an empty directory name");
	p = strdup(path);
	if (!p)
		return plerr_set(e, -ENOMEM, "out of memory");
	for (q = p + 1;; q++) {
		if (*q && *q != '/')
			continue;
		char c = *q;

		*q = 0;
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			ret = plerr_set(e, -errno, "%s: cannot create directory %s: %s", path, p, strerror(errno));
			break;
		}
		*q = c;
		if (!c)
			break;
	}
	if (!ret && (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)))
		ret = plerr_set(e, -ENOTDIR, "%s: not a directory", path);
	free(p);
	return ret;
}

bool path_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (!p)
		return NULL;
	if (dir[0] && dir[strlen(dir) - 1] == '/')
		snprintf(p, n, "%s%s", dir, name);
	else
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

const char *path_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

bool str_ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !memcmp(s + a - b, suffix, b);
}

void hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int hex_decode(const char *in, uint8_t *out, size_t n)
{
	size_t i;
	int hi, lo;

	if (strlen(in) != 2 * n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		hi = hexval(in[2 * i]);
		lo = hexval(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

bool is_sha256_hex(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (hexval(s[i]) < 0)
			return false;
	return s[64] == 0;
}

void sha256(const void *p, size_t n, uint8_t out[SHA256_LEN])
{
	crypto_hash_sha256(out, p, n);
}

void sha256_hex(const void *p, size_t n, char out[SHA256_HEX_LEN])
{
	uint8_t h[SHA256_LEN];

	sha256(p, n, h);
	hex_encode(h, sizeof(h), out);
}

int file_sha256_hex(const char *path, char out[SHA256_HEX_LEN], struct plerr *e)
{
	crypto_hash_sha256_state st;
	uint8_t block[65536], h[SHA256_LEN];
	ssize_t r;
	int fd, ret = 0;

	fd = file_open_regular(path, e);
	if (fd < 0)
		return fd;
	crypto_hash_sha256_init(&st);
	for (;;) {
		r = read(fd, block, sizeof(block));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = plerr_set(e, -errno, "%s: %s", path, strerror(errno));
			break;
		}
		if (r == 0)
			break;
		crypto_hash_sha256_update(&st, block, (unsigned long long)r);
	}
	close(fd);
	crypto_hash_sha256_final(&st, h);
	if (!ret)
		hex_encode(h, sizeof(h), out);
	return ret;
}

char *b64_encode(const uint8_t *in, size_t n)
{
	size_t len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
	char *s = malloc(len);

	if (!s)
		return NULL;
	sodium_bin2base64(s, len, in, n, sodium_base64_VARIANT_ORIGINAL);
	return s;
}

int b64_decode_into(const char *s, size_t n, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t i;

	if (n % 4)
		return -EINVAL;
	/* libsodium skips nothing (ignore == NULL) and rejects non-zero padding bits. */
	for (i = 0; i < n; i++)
		if (!s[i])
			return -EINVAL;
	if (n == 0) {
		*outlen = 0;
		return 0;
	}
	if (sodium_base642bin(out, cap, s, n, NULL, outlen, NULL, sodium_base64_VARIANT_ORIGINAL))
		return -EINVAL;
	return 0;
}

int b64_decode(const char *s, size_t n, uint8_t **out, size_t *outlen)
{
	size_t cap = n / 4 * 3 + 1;
	uint8_t *p = malloc(cap);
	int ret;

	if (!p)
		return -ENOMEM;
	ret = b64_decode_into(s, n, p, cap, outlen);
	if (ret) {
		free(p);
		return ret;
	}
	*out = p;
	return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (!s || !*s)
		return -EINVAL;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	return 0;
}

int parse_i64(const char *s, int64_t *out)
{
	uint64_t v;
	int ret;

	if (!s)
		return -EINVAL;
	if (*s == '-') {
		ret = parse_u64(s + 1, &v);
		if (ret)
			return ret;
		if (v > (uint64_t)INT64_MAX + 1)
			return -ERANGE;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
		return 0;
	}
	ret = parse_u64(s, &v);
	if (ret)
		return ret;
	if (v > INT64_MAX)
		return -ERANGE;
	*out = (int64_t)v;
	return 0;
}

struct unit {
	const char *suffix;
	uint64_t mult;
};

/*
 * A decimal count with an optional unit suffix (the first of units that
 * matches, after a digit): count * mult into *out.  -EINVAL for no digits
 * or junk, -ERANGE on overflow.
 */
static int parse_with_unit(const char *s, const struct unit *units, size_t nunits, uint64_t *out)
{
	char num[32];
	size_t len, i, sl;
	uint64_t v, mult = 1;
	int ret;

	if (!s)
		return -EINVAL;
	len = strlen(s);
	for (i = 0; i < nunits; i++) {
		sl = strlen(units[i].suffix);
		if (len > sl && !strcmp(s + len - sl, units[i].suffix) && s[len - sl - 1] >= '0' &&
		    s[len - sl - 1] <= '9') {
			mult = units[i].mult;
			len -= sl;
			break;
		}
	}
	if (len == 0 || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len);
	num[len] = 0;
	ret = parse_u64(num, &v);
	if (ret)
		return ret;
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

int parse_duration_ns(const char *s, uint64_t *out_ns)
{
	static const struct unit units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "min", 60000000000ULL }, { "s", 1000000000ULL },
	};
	uint64_t v;
	int ret = parse_with_unit(s, units, sizeof(units) / sizeof(units[0]), &v);

	if (ret)
		return ret;
	if (v == 0)
		return -EINVAL;
	*out_ns = v;
	return 0;
}

int parse_size_bytes(const char *s, uint64_t *out)
{
	static const struct unit units[] = {
		{ "KiB", 1ULL << 10 }, { "MiB", 1ULL << 20 }, { "GiB", 1ULL << 30 },
		{ "K", 1ULL << 10 },   { "M", 1ULL << 20 },	{ "G", 1ULL << 30 },
	};

	return parse_with_unit(s, units, sizeof(units) / sizeof(units[0]), out);
}

int parse_decimal_scaled(const char *s, int scale, int64_t *out)
{
	char digits[40];
	size_t nd = 0, extra = 0, i;
	int nfrac = 0, k, round_digit = 0;
	long exp10 = 0;
	bool neg = false, any = false, sticky = false;
	uint64_t v = 0;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; isdigit((unsigned char)*s); s++) {
		any = true;
		if (nd == 0 && *s == '0')
			continue;
		if (nd < sizeof(digits))
			digits[nd++] = *s;
		else
			extra++; /* integer digits past what int64 can hold: ERANGE below */
	}
	if (*s == '.') {
		s++;
		for (; isdigit((unsigned char)*s); s++) {
			any = true;
			if (nd == 0 && *s == '0') {
				nfrac++;
				continue;
			}
			if (nd < sizeof(digits)) {
				digits[nd++] = *s;
				nfrac++;
			} else if (*s != '0') {
				sticky = true; /* only matters for rounding ties */
			}
		}
	}
	if (!any)
		return -EINVAL;
	if (*s == 'e' || *s == 'E') {
		bool eneg = false;
		bool edig = false;

		s++;
		if (*s == '-' || *s == '+')
			eneg = *s++ == '-';
		for (; isdigit((unsigned char)*s); s++) {
			edig = true;
			if (exp10 < 10000)
				exp10 = exp10 * 10 + (*s - '0');
		}
		if (!edig)
			return -EINVAL;
		if (eneg)
			exp10 = -exp10;
	}
	if (*s)
		return -EINVAL;
	/* value = digits * 10^(scale + exp10 + extra - nfrac) */
	k = (int)(scale + exp10 + (long)extra - nfrac);
	if (nd == 0) {
		*out = 0;
		return 0;
	}
	if (k < 0 && (size_t)(-k) > nd) {
		*out = 0; /* below half a unit */
		return 0;
	}
	if (k < 0) {
		round_digit = digits[nd + (size_t)k] - '0';
		for (i = nd + (size_t)k + 1; i < nd; i++)
			sticky |= digits[i] != '0';
		nd += (size_t)k;
		k = 0;
	}
	(void)sticky; /* half away from zero: the first dropped digit decides */
	for (i = 0; i < nd; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(digits[i] - '0');
	}
	for (; k > 0; k--) {
		if (v > UINT64_MAX / 10)
			return -ERANGE;
		v *= 10;
	}
	if (round_digit >= 5)
		v++;
	if (v > (uint64_t)INT64_MAX)
		return -ERANGE;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}
