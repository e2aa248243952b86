/* SPDX-License-Identifier: (LGPL-2.1-or-later OR BSD-2-Clause) */
/*
 * dwcs_qdisc_kern.h — the few kernel types and kfuncs dwcs_qdisc.bpf.c uses, written by hand
 * instead of a generated vmlinux.h.
 *
 * Why by hand: the build machine runs a kernel without the BPF qdisc (bookworm's 6.1), so a
 * vmlinux.h of the kernel the program runs on (6.17+) could only come from an unpacked kernel
 * package; a hand-written subset builds everywhere. It is safe because every kernel structure
 * here is marked preserve_access_index: clang emits CO-RE relocations and libbpf moves each
 * field access to the running kernel's offset by name (checked against the BTF of Debian's
 * 7.3.4). Only the members the program touches are listed. The graph types (bpf_list_head,
 * bpf_list_node, bpf_rb_root, bpf_rb_node, bpf_spin_lock, bpf_iter_num) are matched by the
 * verifier by name and size, the sizes are those of 6.17 .. 7.3.
 */
#ifndef QSOCK_DWCS_QDISC_KERN_H
#define QSOCK_DWCS_QDISC_KERN_H

#define __kern __attribute__((preserve_access_index))

struct sock_common {
	struct {
		__s64 counter;
	} skc_cookie;
} __kern;

struct sock {
	struct sock_common __sk_common;
	__u16 sk_protocol;
} __kern;

struct sk_buff {
	__u64 tstamp;
	struct sock *sk;
	unsigned int len;
	__u32 priority;
	__u32 mark;
	char cb[48];
} __kern;

struct qdisc_skb_cb {
	unsigned int pkt_len;
	__u16 pkt_segs;
	__u16 tc_classid;
	unsigned char data[20];
} __kern;

struct qdisc_skb_head {
	__u32 qlen;
} __kern;

struct gnet_stats_queue {
	__u32 qlen;
	__u32 backlog;
	__u32 drops;
	__u32 requeues;
	__u32 overlimits;
} __kern;

struct Qdisc {
	__u32 limit;
	__u32 handle;
	struct qdisc_skb_head q;
	struct gnet_stats_queue qstats;
} __kern;

struct nlattr;
struct netlink_ext_ack;
/* libbpf checks kfunc prototypes against the kernel's: a forward declaration does not match */
struct bpf_sk_buff_ptr {
	struct sk_buff *skb;
} __kern;

/* The struct_ops type. libbpf matches its members to the kernel's by name. */
struct Qdisc_ops {
	char id[16];
	int (*enqueue)(struct sk_buff *skb, struct Qdisc *sch, struct sk_buff **to_free);
	struct sk_buff *(*dequeue)(struct Qdisc *sch);
	int (*init)(struct Qdisc *sch, struct nlattr *arg, struct netlink_ext_ack *extack);
	void (*reset)(struct Qdisc *sch);
	void (*destroy)(struct Qdisc *sch);
};

/* Graph and iterator types: opaque, the verifier knows them by name. */
struct bpf_list_head {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

struct bpf_list_node {
	__u64 __opaque[3];
} __attribute__((aligned(8)));

struct bpf_rb_root {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

struct bpf_rb_node {
	__u64 __opaque[4];
} __attribute__((aligned(8)));

struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))
#define __kptr __attribute__((btf_type_tag("kptr")))

/* kfuncs: the qdisc's (net/sched/bpf_qdisc.c) and the generic ones (kernel/bpf/helpers.c). */
extern void bpf_kfree_skb(struct sk_buff *skb) __ksym;
extern void bpf_qdisc_skb_drop(struct sk_buff *skb, struct bpf_sk_buff_ptr *to_free) __ksym;
extern void bpf_qdisc_watchdog_schedule(struct Qdisc *sch, __u64 expire, __u64 delta_ns) __ksym;
extern void bpf_qdisc_bstats_update(struct Qdisc *sch, const struct sk_buff *skb) __ksym;

extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
extern int bpf_list_push_back_impl(struct bpf_list_head *head, struct bpf_list_node *node,
				   void *meta, __u64 off) __ksym;
extern int bpf_list_push_front_impl(struct bpf_list_head *head, struct bpf_list_node *node,
				    void *meta, __u64 off) __ksym;
extern struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;
extern struct bpf_list_node *bpf_list_pop_back(struct bpf_list_head *head) __ksym;
extern struct bpf_list_node *bpf_list_front(struct bpf_list_head *head) __ksym;

/* bpf_rbtree_root/_left/_right (6.16, with bpf_list_front): a search from the root under the
 * lock, which yields the non-owning reference bpf_rbtree_remove needs */
extern int bpf_rbtree_add_impl(struct bpf_rb_root *root, struct bpf_rb_node *node,
			       bool (less)(struct bpf_rb_node *a, const struct bpf_rb_node *b),
			       void *meta, __u64 off) __ksym;
extern struct bpf_rb_node *bpf_rbtree_remove(struct bpf_rb_root *root,
					     struct bpf_rb_node *node) __ksym;
extern struct bpf_rb_node *bpf_rbtree_first(struct bpf_rb_root *root) __ksym;
extern struct bpf_rb_node *bpf_rbtree_root(struct bpf_rb_root *root) __ksym;
extern struct bpf_rb_node *bpf_rbtree_left(struct bpf_rb_root *root,
					   struct bpf_rb_node *node) __ksym;
extern struct bpf_rb_node *bpf_rbtree_right(struct bpf_rb_root *root,
					    struct bpf_rb_node *node) __ksym;

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), NULL))
#define bpf_obj_drop(kptr) bpf_obj_drop_impl(kptr, NULL)
#define bpf_list_push_back(head, node) bpf_list_push_back_impl(head, node, NULL, 0)
#define bpf_list_push_front(head, node) bpf_list_push_front_impl(head, node, NULL, 0)
#define bpf_rbtree_add(root, node, less) bpf_rbtree_add_impl(root, node, less, NULL, 0)

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((void *)(ptr) - __builtin_offsetof(type, member)))
#endif

#define NET_XMIT_SUCCESS	0x00
#define NET_XMIT_DROP		0x01
#define IPPROTO_TCP_		6

#endif /* QSOCK_DWCS_QDISC_KERN_H */
