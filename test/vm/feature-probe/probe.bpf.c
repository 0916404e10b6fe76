// SPDX-License-Identifier: GPL-2.0
/*
 * One trivial program per probe kind. Each only counts its hits, so loading
 * and attaching it measures what the kernel accepts and nothing else; the
 * index into hits[] is the kind's row in main.c.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 hits[16];

#define COUNT(i) __sync_fetch_and_add(&hits[i], 1)

SEC("kprobe/ip_rcv")
int kprobe_ip_rcv(void *ctx) { COUNT(0); return 0; }

SEC("kretprobe/ip_rcv")
int kretprobe_ip_rcv(void *ctx) { COUNT(1); return 0; }

SEC("kprobe.multi/ip_rcv")
int kprobe_multi_ip_rcv(void *ctx) { COUNT(2); return 0; }

SEC("fentry/ip_rcv")
int fentry_ip_rcv(void *ctx) { COUNT(3); return 0; }

SEC("fexit/ip_rcv")
int fexit_ip_rcv(void *ctx) { COUNT(4); return 0; }

SEC("raw_tp/netif_receive_skb")
int raw_tp_netif_receive_skb(void *ctx) { COUNT(5); return 0; }

SEC("tp_btf/netif_receive_skb")
int tp_btf_netif_receive_skb(void *ctx) { COUNT(6); return 0; }

SEC("tp/net/netif_receive_skb")
int tp_netif_receive_skb(void *ctx) { COUNT(7); return 0; }

/* Attached by main.c to a function of its own binary. */
SEC("uprobe")
int uprobe_target(void *ctx) { COUNT(8); return 0; }

char LICENSE[] SEC("license") = "GPL";
