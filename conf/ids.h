/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ids.h — user and group names to ids: the one lookup for the shim's stream rules
 * (conf/load.c) and qsockd's policy (conf/policy.c).
 */
#ifndef QSOCK_CONF_IDS_H
#define QSOCK_CONF_IDS_H

#include <sys/types.h>

/* The uid of user @name: 0, -ENOENT (no such user) or -errno (NSS failed). Reentrant. */
int conf_user_id(const char *name, uid_t *uid);
/* The gid of group @name, likewise. */
int conf_group_id(const char *name, gid_t *gid);

#endif /* QSOCK_CONF_IDS_H */
