// SPDX-License-Identifier: GPL-2.0
/*
 * warnmod — a test module that makes the guest kernel log a WARNING on demand, so the test
 * VM runner's dmesg check can be proved to fail a run (test/bats/vm-runner.bats).
 *
 *   insmod warnmod.ko            loads quietly
 *   insmod warnmod.ko warn=1     logs one WARNING with a call trace, then loads
 */
#include <linux/module.h>
#include <linux/bug.h>

static bool warn;
module_param(warn, bool, 0444);
MODULE_PARM_DESC(warn, "log a WARNING when loaded");

static int __init warnmod_init(void)
{
	WARN(warn, "qsock warnmod: deliberate warning for the VM runner's test\n");
	return 0;
}

static void __exit warnmod_exit(void)
{
}

module_init(warnmod_init);
module_exit(warnmod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("qsock test helper: a WARNING on demand");
