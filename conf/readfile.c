// SPDX-License-Identifier: GPL-2.0
/*
 * readfile.c — a qsock.conf read into memory with limits (see readfile.h for why).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "readfile.h"

static const char *file_type(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFSOCK:
		return "a socket";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	default:
		return "not a regular file";
	}
}

static int refuse(struct conf_diag *d, const char *path, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(struct conf_diag *d, const char *path, int err, const char *fmt, ...)
{
	char reason[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return conf_diag_file_reason(d, path, reason, err);
}

/* libconfig 1.5 acts on `@include` at the start of a line (its scanner's rule). */
int conf_check_text(struct conf_diag *d, const char *name, const char *text)
{
	const char *p = text;
	int line = 1;

	for (;;) {
		p += strspn(p, " \t");
		if (!strncmp(p, "@include", 8))
			return conf_diag_include_error(d, name, line);
		p = strchr(p, '\n');
		if (!p)
			return 0;
		p++;
		line++;
	}
}

/* Read to EOF into a buffer grown as needed, at most MAX + 1 bytes: the size fstat() gave may
 * be wrong (/proc files say 0, and a file can grow while we read). */
static ssize_t read_all(int fd, size_t hint, size_t max, char **out)
{
	size_t got = 0, cap = hint < 4096 ? 4096 : hint + 1;
	char *buf = NULL, *nbuf;

	for (;;) {
		ssize_t n;

		if (cap > max + 2)
			cap = max + 2;
		nbuf = realloc(buf, cap);
		if (!nbuf) {
			free(buf);
			return -ENOMEM;
		}
		buf = nbuf;
		/* keep one byte for the terminating NUL */
		n = read(fd, buf + got, cap - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			free(buf);
			return n;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > max)
			break;
		if (got == cap - 1)
			cap *= 2;
	}
	buf[got] = '\0';
	*out = buf;
	return (ssize_t)got;
}

int conf_read_file(struct conf_diag *d, const char *path, char **text)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	int fd, err;

	*text = NULL;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; the type is checked next. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return conf_diag_file_error(d, path, errno);
	if (fstat(fd, &st)) {
		err = errno;
		close(fd);
		return conf_diag_file_error(d, path, err);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return refuse(d, path, S_ISDIR(st.st_mode) ? EISDIR : EINVAL,
			      "%s, not a regular file", file_type(st.st_mode));
	}
	if (st.st_size > CONF_FILE_MAX) {
		close(fd);
		return refuse(d, path, EFBIG, "%llu bytes, more than the %d allowed",
			      (unsigned long long)st.st_size, CONF_FILE_MAX);
	}
	n = read_all(fd, (size_t)st.st_size, CONF_FILE_MAX, &buf);
	close(fd);
	if (n < 0)
		return conf_diag_file_error(d, path, (int)-n);
	if (n > CONF_FILE_MAX) {
		free(buf);
		return refuse(d, path, EFBIG, "more than the %d bytes allowed", CONF_FILE_MAX);
	}
	if (strlen(buf) != (size_t)n) {
		size_t at = strlen(buf);

		free(buf);
		return refuse(d, path, EINVAL, "a NUL byte at offset %zu: not a text file", at);
	}
	*text = buf;
	return 0;
}
