// SPDX-License-Identifier: GPL-2.0
/*
 * ids.c — user and group names to ids (ids.h). The reentrant lookups (the shim's constructor
 * may run while other threads of the program use getpwnam's static buffer), with a buffer
 * grown as NSS asks (ERANGE), so a user in a large LDAP group is found as getpwnam finds it.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>

#include "ids.h"

#define IDS_BUF_MAX (1 << 20)

/* Run @lookup with a buffer of @size bytes, doubling it while NSS says ERANGE. */
#define LOOKUP(type, fn, name, out, field)                                              \
	do {                                                                            \
		char stackbuf[1024], *buf = stackbuf, *big = NULL;                      \
		size_t size = sizeof(stackbuf);                                         \
		struct type ent, *res = NULL;                                           \
		int rc;                                                                 \
                                                                                        \
		while ((rc = fn(name, &ent, buf, size, &res)) == ERANGE &&             \
		       size < IDS_BUF_MAX) {                                            \
			char *more = realloc(big, size * 2);                            \
                                                                                        \
			if (!more)                                                      \
				break;                                                  \
			big = buf = more;                                               \
			size *= 2;                                                      \
		}                                                                       \
		if (!rc && res)                                                         \
			*(out) = res->field;                                            \
		free(big);                                                              \
		return rc ? -rc : res ? 0 : -ENOENT;                                    \
	} while (0)

int conf_user_id(const char *name, uid_t *uid)
{
	LOOKUP(passwd, getpwnam_r, name, uid, pw_uid);
}

int conf_group_id(const char *name, gid_t *gid)
{
	LOOKUP(group, getgrnam_r, name, gid, gr_gid);
}
