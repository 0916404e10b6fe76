/*
 * UDP load for the benchmarks: `udp send ADDR PORT SECONDS [SIZE]` floods
 * with sendmmsg; `udp recv PORT SECONDS` drains a socket. Both print the
 * packet count on exit. Built on demand by the benchmark scripts.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int do_send(const char *addr, int port, double secs, int size)
{
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	char buf[1500] = { 0 };
	unsigned long sent = 0;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	double end;

	if (fd < 0 || inet_pton(AF_INET, addr, &dst.sin_addr) != 1) {
		perror("udp send");
		return 1;
	}
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst))) {
		perror("connect");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = buf;
		iov[i].iov_len = size;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	end = now() + secs;
	while (now() < end) {
		int n = sendmmsg(fd, msgs, BATCH, 0);
		if (n > 0)
			sent += n;
	}
	printf("%lu\n", sent);
	return 0;
}

static int do_recv(int port, double secs)
{
	struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	static char bufs[BATCH][2048];
	struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };
	unsigned long got = 0;
	int rcvbuf = 8 << 20;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	double end;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&any, sizeof(any))) {
		perror("bind");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	end = now() + secs;
	while (now() < end) {
		int n = recvmmsg(fd, msgs, BATCH, 0, NULL);
		if (n > 0)
			got += n;
	}
	printf("%lu\n", got);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "send"))
		return do_send(argv[2], atoi(argv[3]), atof(argv[4]), argc > 5 ? atoi(argv[5]) : 22);
	if (argc >= 4 && !strcmp(argv[1], "recv"))
		return do_recv(atoi(argv[2]), atof(argv[3]));
	fprintf(stderr, "usage: udp send ADDR PORT SECONDS [SIZE] | udp recv PORT SECONDS\n");
	return 2;
}
