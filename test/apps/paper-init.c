// SPDX-License-Identifier: GPL-2.0
/* The paper's §3.1.1 (Initialization), as printed. Exit 0 when the root was installed. */
#include <qsock.h>

#include "paper-example.h"

static int example(void)
{
	/* ---- §3.1.1, as printed ("eth0" -> EXAMPLE_DEV) ---- */
	struct qos_params params;
	int err = 0;

	strncpy(params.dev, EXAMPLE_DEV, IFNAMSIZ);
	strncpy(params.name, "dwcs", IFNAMSIZ);

	params.attributes = NULL;

	err = qsockinit(&params);
	/* ---- end of the excerpt ---- */
	return err;
}

int main(void)
{
	int err;

	scribble_stack();
	err = example();
	if (err) {
		printf("qsockinit failed: %s\n", qsock_strerror());
		return 1;
	}
	printf("qsockinit: dwcs installed on %s\n", example_dev());
	return 0;
}
