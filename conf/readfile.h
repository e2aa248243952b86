/* SPDX-License-Identifier: GPL-2.0 */
/*
 * readfile.h — read a qsock.conf into memory, safely, before libconfig sees it.
 *
 * libconfig's file readers hand the FILE to a flex scanner that calls exit(2) when a read
 * fails ("input in flex scanner failed": a directory, EIO), and fopen() blocks forever on a
 * FIFO. Every program that links the shim would then die or hang before main. So the file is
 * read here, with limits, and libconfig only ever parses a string.
 */
#ifndef QSOCK_CONF_READFILE_H
#define QSOCK_CONF_READFILE_H

#include <stddef.h>

#include "diag.h"

/* A hand-written qsock.conf is a few KiB; 256 stream rules with every key set stay far below
 * this. Larger is surely a mistake (or /dev/zero-like content) and is refused. */
#define CONF_FILE_MAX (1024 * 1024)

/*
 * conf_read_file() - PATH's whole contents, NUL-terminated, in *TEXT (free() it).
 * Only a regular file of at most CONF_FILE_MAX bytes without NUL bytes (the string would end
 * there) is read; it is opened with O_NONBLOCK, so that a FIFO or a device never blocks the
 * caller. Every refusal is reported to D as "PATH: cannot read: REASON". Returns 0, or
 * -ENOENT, -EACCES, -EIO, ... (from the system), -EISDIR, -EFBIG, or -EINVAL (not a regular
 * file, a NUL byte).
 */
int conf_read_file(struct conf_diag *d, const char *path, char **text);

/*
 * conf_check_text() - refuse what libconfig must not parse even from a string: `@include`,
 * because libconfig opens the included file itself with the very reader conf_read_file()
 * replaces. Reported as "NAME:LINE: @include: not supported: ...". Returns 0 or -EINVAL.
 * Every string loader calls it before config_read_string().
 */
int conf_check_text(struct conf_diag *d, const char *name, const char *text);

#endif /* QSOCK_CONF_READFILE_H */
