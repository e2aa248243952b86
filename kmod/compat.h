/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h — every kernel-version difference sch_dwcs cares about, in one place (the
 * cobalt_compat.h model). Built and tested on Debian's 6.1 and 6.12, plain and PREEMPT_RT
 * (docs/kernels.md lists each entry and how each kernel is tested).
 */
#ifndef _DWCS_COMPAT_H
#define _DWCS_COMPAT_H

#include <linux/version.h>
#include <linux/skbuff.h>
#include <net/sock.h>
#include <net/sch_generic.h>

/* skb_gso_segment() moved to <net/gso.h> in 6.5. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <net/gso.h>
#endif

/*
 * Is skb->tstamp a TCP earliest-departure time rather than an application deadline? TCP
 * writes its pacing EDT into tstamp; 6.1 marks it with mono_delivery_time, 6.11 replaced that
 * bit with tstamp_type (which SO_TXTIME senders now set too, so only the protocol tells).
 */
static inline bool dwcs_tstamp_is_tcp_edt(const struct sk_buff *skb)
{
	const struct sock *sk = skb->sk;

	if (sk && sk_fullsock(sk) && sk->sk_protocol == IPPROTO_TCP)
		return true;
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
	return skb->mono_delivery_time;
#else
	return false;
#endif
}

/*
 * A TC_ACT_REDIRECT from a qdisc's filter chain is not supported (stable kernels turned it
 * into TC_ACT_SHOT with tcf_classify_qdisc(); mainline 6.1 has no such helper).
 */
static inline int dwcs_tcf_classify(struct sk_buff *skb, const struct tcf_proto *tp,
				    struct tcf_result *res)
{
	int ret = tcf_classify(skb, NULL, tp, res, false);

	return ret == TC_ACT_REDIRECT ? TC_ACT_SHOT : ret;
}

/* Formatted extack messages exist from 6.2 only; 6.1 gets the fixed text. */
#ifndef NL_SET_ERR_MSG_FMT_MOD
#define NL_SET_ERR_MSG_FMT_MOD(extack, fmt, ...) NL_SET_ERR_MSG_MOD(extack, fmt)
#endif

/*
 * A message that is one of dwcs_core's static strings (dwcs_params_check()'s @why): 6.2 and
 * later format it (NL_SET_ERR_MSG_FMT, which also traces it); 6.1's NL_SET_ERR_MSG takes only
 * a literal, so there the static string is stored as the macro itself would store it.
 */
static inline void dwcs_extack_static(struct netlink_ext_ack *extack, const char *why)
{
#ifdef NL_SET_ERR_MSG_FMT
	NL_SET_ERR_MSG_FMT(extack, "%s", why);
#else
	if (extack)
		extack->_msg = why;
#endif
}

/*
 * The qdisc that owns a private area: qdisc_from_priv() is gone from <net/pkt_sched.h> in 7.x
 * (absent from Debian's 7.2 and 7.3 headers, present in 6.12). It was always this container_of
 * over Qdisc::privdata, which every supported kernel has, so no version test is needed.
 */
static inline struct Qdisc *dwcs_qdisc_from_priv(void *priv)
{
	return container_of(priv, struct Qdisc, privdata);
}

#endif /* _DWCS_COMPAT_H */
