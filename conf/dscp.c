// SPDX-License-Identifier: GPL-2.0
/*
 * dscp.c — DSCP names: qWAVE-like traffic types and the per-hop behaviour names, for the
 * `dscp` key of a stream rule and qsockd's `policy` lists.
 *
 * The traffic types carry the values the IETF recommends for that kind of traffic, not
 * qWAVE's own (Windows maps audio-video to CS5 and voice to CS7, both reserved for other
 * uses by RFC 4594):
 *
 *   best-effort       CS0  0  RFC 4594 4.11 "Standard" (default forwarding, RFC 2474)
 *   background        CS1  8  RFC 4594 4.12 "Low-Priority Data"; RFC 8837 Table 1, very low
 *   excellent-effort  AF21 18 RFC 4594 4.8 "Low-Latency Data"; RFC 8837 Table 1, data, high
 *   audio-video       AF41 34 RFC 4594 4.4 "Multimedia Conferencing"; RFC 8837 Table 1,
 *                             interactive video, high
 *   voice             EF   46 RFC 4594 4.2 "Telephony" (RFC 3246); RFC 8837 Table 1, audio,
 *                             medium and high
 *   control           CS6  48 RFC 4594 4.1 "Network Control"
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"

struct dscp_name {
	const char *name;
	uint8_t value;
};

/* Traffic types first: conf_dscp_name() prefers the PHB name, so they come after it there. */
static const struct dscp_name traffic_types[] = {
	{ "best-effort", 0 }, { "background", 8 }, { "excellent-effort", 18 },
	{ "audio-video", 34 }, { "voice", 46 },	{ "control", 48 },
};

static const struct dscp_name phb_names[] = {
	{ "df", 0 },	{ "le", 1 },	{ "va", 44 },	{ "ef", 46 },
};

int conf_dscp_parse(const char *s, int *value)
{
	size_t i;

	for (i = 0; i < sizeof(traffic_types) / sizeof(traffic_types[0]); i++)
		if (!strcasecmp(s, traffic_types[i].name))
			return *value = traffic_types[i].value, 0;
	for (i = 0; i < sizeof(phb_names) / sizeof(phb_names[0]); i++)
		if (!strcasecmp(s, phb_names[i].name))
			return *value = phb_names[i].value, 0;
	/* CSn: class selector n (RFC 2474), n 0..7 */
	if ((s[0] == 'c' || s[0] == 'C') && (s[1] == 's' || s[1] == 'S') && s[2] >= '0' &&
	    s[2] <= '7' && !s[3])
		return *value = (s[2] - '0') << 3, 0;
	/* AFxy: assured forwarding class x 1..4, drop precedence y 1..3 (RFC 2597) */
	if ((s[0] == 'a' || s[0] == 'A') && (s[1] == 'f' || s[1] == 'F') && s[2] >= '1' &&
	    s[2] <= '4' && s[3] >= '1' && s[3] <= '3' && !s[4])
		return *value = ((s[2] - '0') << 3) | ((s[3] - '0') << 1), 0;
	return -EINVAL;
}

const char *conf_dscp_name(int value, char *buf, size_t len)
{
	size_t i;

	if (value < 0 || value > CONF_DSCP_MAX) {
		snprintf(buf, len, "none");
		return buf;
	}
	for (i = 0; i < sizeof(phb_names) / sizeof(phb_names[0]); i++)
		if (phb_names[i].value == value && value) {
			snprintf(buf, len, "%s (%d)", phb_names[i].name, value);
			goto upper;
		}
	if (!(value & 7))
		snprintf(buf, len, "cs%d (%d)", value >> 3, value);
	else if ((value >> 3) >= 1 && (value >> 3) <= 4 && !(value & 1) && (value & 6))
		snprintf(buf, len, "af%d%d (%d)", value >> 3, (value >> 1) & 3, value);
	else
		snprintf(buf, len, "%d", value);
upper:
	for (char *p = buf; *p && *p != ' '; p++)
		*p = (char)toupper((unsigned char)*p);
	return buf;
}

const char *conf_dscp_names_help(void)
{
	return "best-effort, background, excellent-effort, audio-video, voice, control, "
	       "CS0..CS7, AF11..AF43, EF, VA, LE, DF, or 0..63";
}

int conf_get_dscp(struct conf_diag *d, const config_setting_t *group, const char *name,
		  int *value)
{
	const config_setting_t *s = config_setting_get_member(group, name);
	long long v;

	if (!s)
		return 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(s);
		if (v < 0 || v > CONF_DSCP_MAX)
			return conf_diag_error(d, s, NULL, "%lld is out of range 0..%d", v,
					       CONF_DSCP_MAX);
		*value = (int)v;
		return 1;
	case CONFIG_TYPE_STRING:
		if (conf_dscp_parse(config_setting_get_string(s), value))
			return conf_diag_error(d, s, NULL, "\"%s\" is not a DSCP: use %s",
					       config_setting_get_string(s), conf_dscp_names_help());
		return 1;
	default:
		return conf_diag_error(d, s, NULL, "must be a DSCP name or an integer 0..%d, not %s",
				       CONF_DSCP_MAX, conf_type_name(config_setting_type(s)));
	}
}
