// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of qsockd's policy (conf/policy.c): the built-in default is safe, rules match by
 * user, group and process name in order, refusals carry EPERM/EDQUOT and name the rule with
 * its file:line, and a broken file is reported as file:line: key: reason and leaves the
 * previous policy in place.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../conf/policy.h"

static char path[] = "/tmp/qsock-policy-XXXXXX";
static char msg[256];

static int load_text(struct policy *p, const char *text, char *diag, size_t diaglen)
{
	struct conf_diag d;
	int fd = mkstemp(path), err;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	conf_diag_init(&d, path, NULL);
	err = policy_load(p, path, &d);
	if (diag)
		snprintf(diag, diaglen, "%s", d.first);
	unlink(path);
	strcpy(path, "/tmp/qsock-policy-XXXXXX");
	return err;
}

static struct policy_who who(uid_t uid, gid_t gid, const char *comm)
{
	struct policy_who w = { .uid = uid, .gid = gid, .comm = comm };

	return w;
}

static void test_builtin_default_is_safe(void **state)
{
	struct policy p;
	struct policy_who w = who(1000, 1000, "app");
	struct policy_ask a = { .device = "eth0", .scheduler = "dwcs", .new_stream = true };

	policy_init_default(&p);
	/* The whole of a 10 Mbit/s link: refused. */
	a.rate_bps = 10000000;
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), -EDQUOT);
	assert_non_null(strstr(msg, "policy default (built-in): max_rate"));
	assert_non_null(strstr(msg, "max_rate"));
	a.rate_bps = 500000;
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), 0);
	a.held_streams = POLICY_DEFAULT_MAX_STREAMS;
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), -EDQUOT);
	assert_non_null(strstr(msg, "max_streams 4"));
	a.held_streams = 0;
	a.nondroppable = true;
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), -EPERM);
	assert_non_null(strstr(msg, "non-droppable"));
	a.nondroppable = false;
	a.lossless = true;
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), -EPERM);
	/* root bypasses the limits by default */
	w.uid = 0;
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), 0);
	policy_free(&p);
}

static const char *conf_text =
	"streams = ();\n" /* other groups are not ours */
	"policy = {\n"
	"  on_exit = \"restore\";\n"
	"  default = { max_streams = 2; max_rate = \"2mbit\"; devices = [\"veth*\"]; };\n"
	"  rules = (\n"
	"    { user = \"1234\"; max_streams = 8; max_rate = \"20mbit\"; nondroppable = true; },\n"
	"    { group = \"4321\"; process = \"ffmpeg*\"; lossless = true; schedulers = [\"htb\"]; }\n"
	"  );\n"
	"  setup = ( { device = \"veth0\"; scheduler = \"htb\"; rate = \"10mbit\"; } );\n"
	"};\n";

static void test_rules_match_in_order(void **state)
{
	struct policy p;
	struct policy_who w;
	gid_t groups[] = { 4321 };
	const struct policy_rule *r;

	policy_init_default(&p);
	assert_int_equal(load_text(&p, conf_text, NULL, 0), 0);
	assert_int_equal(p.on_exit, POLICY_EXIT_RESTORE);
	assert_int_equal(p.n_rules, 2);
	assert_int_equal(p.n_setup, 1);
	assert_string_equal(p.setup[0].device, "veth0");
	assert_int_equal(p.setup[0].rate_bps, 10000000);

	w = who(1234, 1234, "anything");
	r = policy_match(&p, &w);
	assert_ptr_equal(r, &p.rules[0]);
	assert_int_equal(r->lim.max_streams, 8);
	assert_int_equal(r->lim.max_rate_bps, 20000000);
	/* unset limits inherit the file's default */
	assert_string_equal(r->lim.devices[0], "veth*");

	w = who(99, 99, "ffmpeg-x");
	w.groups = groups;
	w.n_groups = 1;
	assert_ptr_equal(policy_match(&p, &w), &p.rules[1]);
	w.comm = "vlc";
	assert_ptr_equal(policy_match(&p, &w), &p.dflt);
	w = who(99, 4321, "ffmpeg"); /* primary group counts too */
	assert_ptr_equal(policy_match(&p, &w), &p.rules[1]);
	policy_free(&p);
}

static void test_refusals_name_the_rule(void **state)
{
	struct policy p;
	struct policy_who w = who(1234, 1234, "x");
	struct policy_ask a = { .device = "veth0", .scheduler = "dwcs", .new_stream = true };

	policy_init_default(&p);
	assert_int_equal(load_text(&p, conf_text, NULL, 0), 0);
	a.rate_bps = 15000000;
	a.held_rate_bps = 6000000;
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), -EDQUOT);
	assert_non_null(strstr(msg, "rules[0] user 1234"));
	assert_non_null(strstr(msg, ":6)")); /* the rule's line */
	assert_non_null(strstr(msg, "max_rate 20000000"));
	a.held_rate_bps = 0;
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), 0);
	a.device = "eth0";
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), -EPERM);
	assert_non_null(strstr(msg, "device eth0"));

	w = who(99, 4321, "ffmpeg");
	a.device = "veth1";
	a.rate_bps = 1000;
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), -EPERM);
	assert_non_null(strstr(msg, "scheduler dwcs"));
	a.scheduler = "htb";
	a.lossless = true;
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), 0);
	/* a change (not a new stream) does not count against max_streams */
	a.held_streams = 2;
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), -EDQUOT);
	a.new_stream = false;
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), 0);
	/* rates that would overflow are refused, not wrapped */
	a.held_rate_bps = ~0ULL - 10;
	a.rate_bps = 100;
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), -EDQUOT);
	policy_free(&p);
}

/* `dscp` (#14): by default no EF, VA or CS5..CS7 for unprivileged users; a rule may allow
 * them by name or number; a refusal names the rule and the key. */
static void test_dscp_policy(void **state)
{
	struct policy p;
	struct policy_who w = who(1000, 1000, "app"), media = who(1001, 1001, "janus");
	struct policy_ask a = { .device = "eth0", .scheduler = "htb", .new_stream = true,
				.rate_bps = 1000, .has_dscp = true };
	char diag[CONF_DIAG_MSG_MAX];

	policy_init_default(&p);
	a.dscp = 34; /* AF41 */
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), 0);
	a.dscp = 46; /* EF */
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), -EPERM);
	assert_string_equal(msg, "policy default (built-in): DSCP EF (46) is not allowed (policy key dscp)");
	a.dscp = 40; /* CS5 */
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), -EPERM);
	a.dscp = 39;
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), 0);
	w.uid = 0; /* root_unlimited */
	a.dscp = 48;
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), 0);
	w.uid = 1000;

	assert_int_equal(load_text(&p,
				   "policy = {\n  default = { dscp = [ \"best-effort\", \"af41\" ]; };\n"
				   "  rules = ( { user = \"1001\"; dscp = ( \"EF\", \"voice\", 34, \"cs1\" ); } );\n};\n",
				   diag, sizeof(diag)),
			 0);
	a.dscp = 46;
	assert_int_equal(policy_check(&p, &media, &a, msg, sizeof(msg)), 0);
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), -EPERM);
	assert_non_null(strstr(msg, "policy default"));
	assert_non_null(strstr(msg, "DSCP EF (46) is not allowed"));
	a.dscp = 18; /* excellent-effort: in neither list */
	assert_int_equal(policy_check(&p, &w, &a, msg, sizeof(msg)), -EPERM);
	assert_int_equal(policy_check(&p, &media, &a, msg, sizeof(msg)), -EPERM);
	assert_non_null(strstr(msg, "rules[0] user 1001"));
	assert_non_null(strstr(msg, ":3)"));
	a.has_dscp = false; /* no DSCP asked: nothing to allow */
	assert_int_equal(policy_check(&p, &media, &a, msg, sizeof(msg)), 0);

	assert_int_equal(load_text(&p, "policy = {\n  default = {\n    dscp = [ \"ef\", \"xx\" ];\n  };\n};\n",
				   diag, sizeof(diag)),
			 -EINVAL);
	assert_non_null(strstr(diag, ":3: policy.default.dscp[1]: \"xx\" is not a DSCP: use best-effort,"));
	assert_int_equal(load_text(&p, "policy = { default = { dscp = ( 64 ); }; };\n", diag, sizeof(diag)),
			 -EINVAL);
	assert_non_null(strstr(diag, "policy.default.dscp[0]: 64 is out of range 0..63"));
	policy_free(&p);
}

static void test_errors_have_file_line_key(void **state)
{
	struct policy p;
	char diag[CONF_DIAG_MSG_MAX];

	policy_init_default(&p);
	assert_int_equal(load_text(&p, conf_text, NULL, 0), 0);

	assert_int_equal(load_text(&p,
				   "policy = {\n  default = {\n    max_streams = -1;\n  };\n};\n",
				   diag, sizeof(diag)),
			 -EINVAL);
	assert_non_null(strstr(diag, ":3: policy.default.max_streams:"));
	/* the previous policy is intact */
	assert_int_equal(p.n_rules, 2);
	assert_int_equal(p.dflt.lim.max_streams, 2);

	assert_int_equal(
		load_text(&p, "policy = { rules = ( { user = \"no-such-user-qsock\"; } ); };\n",
			  diag, sizeof(diag)),
		-EINVAL);
	assert_non_null(strstr(diag, "policy.rules[0].user: no such user"));

	assert_int_equal(load_text(&p, "policy = {\n rules = ( { max_rate = \"1mbit\"; } );\n};\n",
				   diag, sizeof(diag)),
			 -EINVAL);
	assert_non_null(strstr(diag, ":2: policy.rules[0]"));
	assert_non_null(strstr(diag, "at least one of user, group, process"));

	assert_int_equal(load_text(&p, "policy = { default = { max_rate = \"fast\"; }; };\n", diag,
				   sizeof(diag)),
			 -EINVAL);
	assert_non_null(strstr(diag, "policy.default.max_rate"));

	assert_int_equal(load_text(&p, "policy = { bogus = 1; };\n", diag, sizeof(diag)), -EINVAL);
	assert_non_null(strstr(diag, "policy.bogus"));

	assert_int_equal(load_text(&p, "policy = { on_exit = \"explode\"; };\n", diag,
				   sizeof(diag)),
			 -EINVAL);
	assert_non_null(strstr(diag, "policy.on_exit"));

	assert_int_equal(load_text(&p, "policy = { default = { devices = \"eth0\"; }; };\n", diag,
				   sizeof(diag)),
			 -EINVAL);
	assert_non_null(strstr(diag, "policy.default.devices: expected a list"));

	assert_int_equal(load_text(&p, "policy = { setup = ( { scheduler = \"htb\"; } ); };\n",
				   diag, sizeof(diag)),
			 -EINVAL);
	assert_non_null(strstr(diag, "device"));

	assert_int_equal(load_text(&p, "policy = { default = { ; };\n", diag, sizeof(diag)),
			 -EINVAL);
	assert_non_null(strstr(diag, ":1:"));

	assert_int_equal(p.n_rules, 2);
	policy_free(&p);
}

static void test_missing_group_gives_builtin_default(void **state)
{
	struct policy p;

	policy_init_default(&p);
	assert_int_equal(load_text(&p, "streams = ();\n", NULL, 0), 0);
	assert_int_equal(p.n_rules, 0);
	assert_int_equal(p.dflt.lim.max_streams, POLICY_DEFAULT_MAX_STREAMS);
	assert_int_equal(p.dflt.lim.max_rate_bps, POLICY_DEFAULT_MAX_RATE_BPS);
	policy_free(&p);
}

static void test_missing_file_is_enoent(void **state)
{
	struct policy p;
	struct conf_diag d;

	policy_init_default(&p);
	conf_diag_init(&d, "/nonexistent/qsock.conf", NULL);
	assert_int_equal(policy_load(&p, "/nonexistent/qsock.conf", &d), -ENOENT);
	assert_non_null(strstr(d.first, "/nonexistent/qsock.conf"));
	policy_free(&p);
}

/* qsockd's policy goes through the same bounded reader as the shim: a directory or a FIFO
 * given as -c is an error (libconfig's reader exits on one and blocks on the other), and
 * the previous policy stays. */
static void test_unreadable_file_keeps_policy(void **state)
{
	struct policy p;
	struct conf_diag d;

	policy_init_default(&p);
	conf_diag_init(&d, "/tmp", NULL);
	assert_int_equal(policy_load(&p, "/tmp", &d), -EISDIR);
	assert_string_equal(d.first, "/tmp: cannot read: a directory, not a regular file");
	conf_diag_init(&d, "/dev/null", NULL);
	assert_int_equal(policy_load(&p, "/dev/null", &d), -EINVAL);
	assert_int_equal(p.dflt.lim.max_streams, POLICY_DEFAULT_MAX_STREAMS);
	policy_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_default_is_safe),
		cmocka_unit_test(test_rules_match_in_order),
		cmocka_unit_test(test_refusals_name_the_rule),
		cmocka_unit_test(test_dscp_policy),
		cmocka_unit_test(test_errors_have_file_line_key),
		cmocka_unit_test(test_missing_group_gives_builtin_default),
		cmocka_unit_test(test_missing_file_is_enoent),
		cmocka_unit_test(test_unreadable_file_keeps_policy),
	};

	return cmocka_run_group_tests_name("daemon_policy", tests, NULL, NULL);
}
