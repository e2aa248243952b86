// SPDX-License-Identifier: GPL-2.0
/*
 * stream_rate.c — a stream rule's rate in media terms: `bitrate`, `fps`, `packet_size` and
 * `window`, turned into the period, window and htb rate the schedulers take (lib/rate.h, the
 * same arithmetic libqsock applies to q_dwcs_attr.bitrate). A DWCS period is one *datagram*
 * per ipg, which no media user thinks in: a 2 Mbit/s, 25 fps stream sends about nine
 * datagrams per frame, and an ipg of one frame (40 ms) lets through one in nine.
 *
 * Errors name the user's units and the grant that failed ("bitrate: 100gbit in 1-byte
 * datagrams is a datagram every 1ns, outside the 1us..60s a period may be").
 */
#include <errno.h>
#include <string.h>

#include "conf.h"
#include "../lib/rate.h"

static const char *const window_names[] = { "packets", "frames", NULL };

/* fps: a number 1..1000, integer or fractional (29.97), in thousandths: 1 stored, 0 absent,
 * -EINVAL reported. */
int conf_get_fps_milli(struct conf_diag *d, const config_setting_t *group, const char *name,
		       uint32_t *fps_milli)
{
	const config_setting_t *f = config_setting_get_member(group, name);
	double fps;

	if (!f)
		return 0;
	if (config_setting_type(f) == CONFIG_TYPE_FLOAT)
		fps = config_setting_get_float(f);
	else if (config_setting_type(f) == CONFIG_TYPE_INT ||
		 config_setting_type(f) == CONFIG_TYPE_INT64)
		fps = (double)config_setting_get_int64(f);
	else
		return conf_diag_error(d, f, NULL, "must be a number, not %s",
				       conf_type_name(config_setting_type(f)));
	if (!(fps >= 1 && fps <= 1000))
		return conf_diag_error(d, f, NULL, "%g is out of range 1..1000", fps);
	*fps_milli = (uint32_t)(fps * 1000 + 0.5);
	return 1;
}

int conf_load_stream_rate(struct conf_diag *d, const config_setting_t *g, struct conf_stream *st)
{
	const config_setting_t *br = config_setting_get_member(g, "bitrate");
	const config_setting_t *fs = config_setting_get_member(g, "fps");
	const config_setting_t *ws = config_setting_get_member(g, "window");
	unsigned long long Bps = 0;
	long long pkt = QSOCK_DEFAULT_PKT_BYTES;
	struct qsock_rate_grant gr;
	int window = 0, ret = 0, rc;
	uint32_t fps_milli = 0;
	char a[32], b[32];

	if (conf_get_rate_Bps(d, g, "bitrate", 125, QSOCK_MAX_BITRATE / 8, &Bps) < 0)
		ret = -EINVAL;
	if (conf_get_fps_milli(d, g, "fps", &fps_milli) < 0)
		ret = -EINVAL;
	if (conf_get_int(d, g, "packet_size", QSOCK_MIN_PKT_BYTES, QSOCK_MAX_PKT_BYTES, &pkt) < 0)
		ret = -EINVAL;
	if (conf_get_enum(d, g, "window", window_names, &window) < 0)
		ret = -EINVAL;
	if (ret)
		return ret;

	/* each of them means something only with a bit rate to divide */
	if (!br) {
		static const char *const needs_bitrate[] = { "fps", "packet_size", "window", NULL };
		const char *const *k;

		for (k = needs_bitrate; *k; k++)
			if (config_setting_get_member(g, *k))
				ret = conf_diag_error(d, config_setting_get_member(g, *k), NULL,
						      "needs \"bitrate\": it describes how the stream's "
						      "bit rate is sent");
		return ret;
	}
	if (config_setting_get_member(g, "ipg"))
		ret = conf_diag_error(d, config_setting_get_member(g, "ipg"), NULL,
				      "conflicts with \"bitrate\" (line %d), which sets the period: "
				      "give one of them",
				      config_setting_source_line(br));
	if (config_setting_get_member(g, "rate"))
		ret = conf_diag_error(d, config_setting_get_member(g, "rate"), NULL,
				      "conflicts with \"bitrate\" (line %d), which sets htb's rate: "
				      "give one of them",
				      config_setting_source_line(br));
	if (window == 1 && !fs)
		ret = conf_diag_error(d, ws, NULL,
				      "\"frames\" needs \"fps\": a frame's datagrams follow from "
				      "bitrate / fps");
	if (ret)
		return ret;

	rc = qsock_rate_grant(Bps * 8, fps_milli, (uint32_t)pkt, &gr);
	/* htb takes the rate, not the period (the shim gives it a nominal one) */
	if (rc == -ERANGE && st->sched == CONF_SCHED_HTB)
		rc = 0;
	if (rc == -ERANGE)
		return conf_diag_error(d, br, NULL,
				       "%s in %lld-byte datagrams is a datagram every %s, outside the "
				       "1us..60s a period may be",
				       conf_format_rate_Bps(Bps, a, sizeof(a)), pkt,
				       conf_format_duration(gr.ipg_ns ? gr.ipg_ns : 1, b, sizeof(b)));
	if (rc)
		return conf_diag_error(d, br, NULL, "%s cannot be granted",
				       conf_format_rate_Bps(Bps, a, sizeof(a)));
	if (window == 1) {
		uint64_t old = (uint64_t)st->old * gr.pkts_per_frame;

		if (old > DWCS_MAX_WINDOW)
			return conf_diag_error(d, config_setting_get_member(g, "old"), NULL,
					       "%u frames of %u datagrams are %llu, more than the "
					       "largest window (%u datagrams)",
					       st->old, gr.pkts_per_frame, (unsigned long long)old,
					       DWCS_MAX_WINDOW);
		st->oln *= gr.pkts_per_frame;
		st->old = (uint32_t)old;
		st->window_frames = true;
	}
	st->bitrate_bps = Bps * 8;
	st->fps_milli = fps_milli;
	st->pkt_bytes = (uint32_t)pkt;
	st->pkts_per_frame = gr.pkts_per_frame;
	st->ipg_ns = gr.ipg_ns;
	if (st->sched == CONF_SCHED_HTB)
		st->rate_Bps = gr.wire_Bps;
	return 0;
}
