// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the qsock.conf loader (conf/): the shim's rules (conf_load_string)
 * and qsockd's policy (policy_load_string), the text a user controls through QSOCK_CONF and
 * that `qsock check` reads.
 *
 * The input is the file's text (cut at its first NUL byte, as conf_read_file() refuses NUL
 * bytes). Invariants (abort = finding): the loaders return 0, -EINVAL or -ENOMEM; a failure
 * leaves the defaults (no stream rules; the policy as it was) and a terminated first
 * message; a success has every compiled program in place and message rules whose byte
 * tests stay inside what the matcher may see.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../conf/conf.h"
#include "../../conf/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_conf(const struct conf *c, int err, const struct conf_diag *d)
{
	if (err != 0 && err != -EINVAL && err != -ENOMEM)
		abort();
	if (!memchr(d->first, '\0', sizeof(d->first)))
		abort();
	if (err) {
		if (c->n_streams || c->streams)
			abort();
		return;
	}
	if (c->n_streams > CONF_MAX_STREAMS)
		abort();
	for (unsigned int i = 0; i < c->n_streams; i++) {
		const struct conf_stream *st = &c->streams[i];

		if (st->n_msgs > CONF_MAX_MSG_RULES || (st->n_msgs && !st->prog))
			abort();
		for (unsigned int j = 0; j < st->n_msgs; j++)
			for (unsigned int k = 0; k < st->msgs[j].n_bytes; k++)
				if (st->msgs[j].bytes[k].offset + st->msgs[j].bytes[k].len >
				    CONF_PAYLOAD_VISIBLE)
					abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct conf_diag d;
	struct policy p;
	struct conf c;
	int err;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	conf_diag_init(&d, "fuzz.conf", NULL);
	err = conf_load_string(&c, text, "fuzz.conf", &d);
	check_conf(&c, err, &d);
	conf_free(&c);

	policy_init_default(&p);
	conf_diag_init(&d, "fuzz.conf", NULL);
	err = policy_load_string(&p, text, "fuzz.conf", &d);
	if (err != 0 && err != -EINVAL && err != -ENOMEM)
		abort();
	/* a failed load leaves the policy as it was: the built-in default */
	if (err && (p.n_rules || p.dflt.lim.max_streams != POLICY_DEFAULT_MAX_STREAMS))
		abort();
	policy_free(&p);
	free(text);
	return 0;
}
