// SPDX-License-Identifier: GPL-2.0
/*
 * printable.c — see printable.h.
 */
#include <stdio.h>

#include "printable.h"

const char *qsock_printable(char *dst, size_t len, const char *src)
{
	size_t o = 0;

	if (!len)
		return dst;
	for (const unsigned char *s = (const unsigned char *)src; *s; s++) {
		char esc[5];
		size_t n;

		if (*s == '\\') {
			esc[0] = esc[1] = '\\';
			n = 2;
		} else if (*s >= 0x20 && *s <= 0x7e) {
			esc[0] = (char)*s;
			n = 1;
		} else {
			snprintf(esc, sizeof(esc), "\\x%02x", *s);
			n = 4;
		}
		if (o + n >= len)
			break;
		for (size_t i = 0; i < n; i++)
			dst[o++] = esc[i];
	}
	dst[o] = '\0';
	return dst;
}
