// SPDX-License-Identifier: GPL-2.0
/*
 * feature-probe: prints which probe and attach kinds the running kernel
 * accepts, and whether each attached probe fires.
 *
 *   feature-probe [-v] PROBE.bpf.o
 *
 * Every kind is loaded from its own copy of the object, so one refusal (a
 * missing kprobe PMU, EPERM on trampolines) cannot hide another result. The
 * probes are then triggered by one UDP datagram over loopback (ip_rcv,
 * netif_receive_skb) and one call to a function of this binary (uprobe).
 * -v passes libbpf's messages, verifier logs included, to stderr.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct kind {
	const char *name;
	const char *prog;   /* program name in probe.bpf.c */
	const char *target; /* what it attaches to, for the table */
};

/* Row i counts into hits[i] in probe.bpf.c. */
static const struct kind kinds[] = {
	{ "kprobe", "kprobe_ip_rcv", "ip_rcv" },
	{ "kretprobe", "kretprobe_ip_rcv", "ip_rcv" },
	{ "kprobe.multi", "kprobe_multi_ip_rcv", "ip_rcv" },
	{ "fentry", "fentry_ip_rcv", "ip_rcv" },
	{ "fexit", "fexit_ip_rcv", "ip_rcv" },
	{ "raw_tracepoint", "raw_tp_netif_receive_skb", "netif_receive_skb" },
	{ "tp_btf", "tp_btf_netif_receive_skb", "netif_receive_skb" },
	{ "tracepoint", "tp_netif_receive_skb", "net/netif_receive_skb" },
	{ "uprobe", "uprobe_target", "feature_probe_target" },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

struct result {
	struct bpf_object *obj;
	struct bpf_link *link;
	const char *failed_at; /* "open", "load" or "attach"; NULL on success */
	int err;               /* positive errno */
};

static int verbose;

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!verbose || level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* The uprobe's target: kept out of line and in the symbol table. */
__attribute__((noinline, used)) void feature_probe_target(void)
{
	__asm__ volatile("" ::: "memory");
}

/* Records where a kind failed; libbpf returns -errno or sets errno. */
static int fail(struct result *r, const char *stage, int err)
{
	r->failed_at = stage;
	r->err = err < 0 ? -err : err;
	return -1;
}

static int attach_kind(const struct kind *k, const char *path, struct result *r)
{
	struct bpf_program *prog;
	char self[4096];
	ssize_t n;
	int err;

	r->obj = bpf_object__open_file(path, NULL);
	if (!r->obj)
		return fail(r, "open", errno);
	bpf_object__for_each_program(prog, r->obj)
		bpf_program__set_autoload(prog, strcmp(bpf_program__name(prog), k->prog) == 0);
	err = bpf_object__load(r->obj);
	if (err)
		return fail(r, "load", err);

	prog = bpf_object__find_program_by_name(r->obj, k->prog);
	if (strcmp(k->name, "uprobe") == 0) {
		LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = "feature_probe_target");
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0)
			return fail(r, "attach", errno);
		self[n] = '\0';
		r->link = bpf_program__attach_uprobe_opts(prog, 0, self, 0, &opts);
	} else {
		r->link = bpf_program__attach(prog);
	}
	if (!r->link)
		return fail(r, "attach", errno);
	return 0;
}

/* One datagram to ourselves over loopback: it passes netif_receive_skb and
 * ip_rcv in the kernel. Returns 0 once it has come back. */
static int send_loopback_datagram(void)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 2 };
	socklen_t len = sizeof(addr);
	char buf[8] = "probe";
	int fd, ret = -1;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&addr, &len) == 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0 &&
	    sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&addr, len) == sizeof(buf) &&
	    recv(fd, buf, sizeof(buf), 0) == sizeof(buf))
		ret = 0;
	close(fd);
	return ret;
}

/* Why a kind failed, when the error code alone would mislead. */
static const char *hint(const struct kind *k, const struct result *r)
{
	int kprobe_kind = strncmp(k->name, "kprobe", 6) == 0 || strcmp(k->name, "kretprobe") == 0;

	if (r->err != ENOENT)
		return "";
	if (kprobe_kind && access("/sys/bus/event_source/devices/kprobe", F_OK))
		return "; no kprobe PMU: kernel built without CONFIG_KPROBES?";
	if (strcmp(k->name, "tracepoint") == 0 && access("/sys/kernel/tracing/events", F_OK) &&
	    access("/sys/kernel/debug/tracing/events", F_OK))
		return "; tracefs is not mounted";
	return "";
}

static long long read_hits(struct bpf_object *obj, size_t i)
{
	struct bpf_map *bss = bpf_object__find_map_by_name(obj, ".bss");
	__u64 hits[16] = { 0 };
	int key = 0;

	if (!bss || bpf_map__lookup_elem(bss, &key, sizeof(key), hits, sizeof(hits), 0))
		return -1;
	return (long long)hits[i];
}

static void row(const char *kind, const char *target, const char *attach, const char *fires,
		const char *reason)
{
	if (*reason)
		printf("%-15s %-22s %-7s %-6s %s\n", kind, target, attach, fires, reason);
	else
		printf("%-15s %-22s %-7s %s\n", kind, target, attach, fires);
}

int main(int argc, char **argv)
{
	void (*volatile target)(void) = feature_probe_target;
	struct result results[NKINDS] = { 0 };
	struct utsname uts;
	int traffic_ok;
	size_t i;

	if (argc == 3 && strcmp(argv[1], "-v") == 0) {
		verbose = 1;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: feature-probe [-v] PROBE.bpf.o\n");
		return 2;
	}
	libbpf_set_print(print_libbpf);

	for (i = 0; i < NKINDS; i++)
		attach_kind(&kinds[i], argv[1], &results[i]);

	traffic_ok = send_loopback_datagram() == 0;
	target();

	uname(&uts);
	printf("kernel %s\n", uts.release);
	row("kind", "target", "attach", "fires", "reason");
	for (i = 0; i < NKINDS; i++) {
		const struct result *r = &results[i];
		char reason[256];
		long long hits;

		if (r->failed_at) {
			snprintf(reason, sizeof(reason), "%s: %s (%s)%s", r->failed_at, strerror(r->err),
				 strerrorname_np(r->err) ? strerrorname_np(r->err) : "?", hint(&kinds[i], r));
			row(kinds[i].name, kinds[i].target, "no", "-", reason);
			continue;
		}
		hits = read_hits(r->obj, i);
		row(kinds[i].name, kinds[i].target, "yes", hits > 0 ? "yes" : hits == 0 ? "no" : "?",
		    hits == 0 && !traffic_ok && strcmp(kinds[i].name, "uprobe") ?
			    "no loopback traffic (is lo up?)" : "");
	}

	for (i = 0; i < NKINDS; i++) {
		bpf_link__destroy(results[i].link);
		bpf_object__close(results[i].obj);
	}
	return 0;
}
