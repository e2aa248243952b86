/* SPDX-License-Identifier: GPL-2.0 */
/*
 * printable.h — text from other users made safe for an operator's terminal.
 *
 * A process name (prctl PR_SET_NAME: any 15 bytes its owner likes) or a device name reaches
 * `qsock status`, `qsock top` and qsockd's log; an escape sequence in it would move the
 * cursor, retitle the terminal or forge a log line. Everything printed from such a source
 * goes through qsock_printable(). (JSON output escapes on its own: tools/qsock/json.c.)
 * In conf/ because it is the one library both the qsock command and qsockd link.
 */
#ifndef QSOCK_CONF_PRINTABLE_H
#define QSOCK_CONF_PRINTABLE_H

#include <stddef.h>

/* Room for the escaped form of N bytes: each may become four ("\x1b"). */
#define QSOCK_PRINTABLE_SIZE(n) (4 * (n) + 1)

/*
 * qsock_printable() - SRC into DST (LEN bytes, always terminated, truncated at a whole
 * escape), each byte outside printable ASCII (0x20..0x7e) written as \xHH and a backslash
 * as \\, so that a line never holds a byte the terminal acts on. Returns DST.
 */
const char *qsock_printable(char *dst, size_t len, const char *src);

#endif /* QSOCK_CONF_PRINTABLE_H */
