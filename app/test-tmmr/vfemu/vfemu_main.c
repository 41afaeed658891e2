/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * tmmr-vfemu: a software PF with N virtio Transitional MMR VFs. Prints
 * "ready" once the sysfs tree is complete; SIGINT/SIGTERM remove it again.
 */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "vfemu_pf.h"

#define EXIT_USAGE	2
#define TICK_MS		100

static struct vfemu_loop *the_loop;

static void
on_signal(int sig)
{
	(void)sig;
	if (the_loop != NULL)
		vfemu_loop_stop(the_loop);
}

/* to stderr with exit status 2 after a usage error; to stdout with 0 for --help */
static void
usage_to(FILE *out, int status, const char *prog, const char *why)
{
	if (why != NULL)
		fprintf(stderr, "%s: %s\n", prog, why);
	fprintf(out,
		"usage: %s --sysfs DIR --vfs N --backend vhost-user:PREFIX [--server]\n"
		"       [--queue-pairs Q (1..%d)] [--queue-size S (power of 2)] [--pf BDF]\n"
		"       [--ctl PATH] [--mac-base xx:xx:xx:xx:xx:xx]\n"
		"       [--mtu M (the VFs' MTU, %d..%d, default %d)]\n"
		"       [--socket-mode MODE (octal, of the vfio-user and control sockets,\n"
		"        0600..0777 with the owner's rw bits, default 0600)]\n"
		"       [--help]\n",
		prog, TMMR_MAX_QUEUE_PAIRS, VFEMU_MTU_MIN, VFEMU_MTU_MAX, VFEMU_MTU_DEFAULT);
	exit(status);
}

static void
usage(const char *prog, const char *why)
{
	usage_to(stderr, EXIT_USAGE, prog, why);
}

static int
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (s == NULL || *s == '\0' || *s == '-')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 0);
	return errno != 0 || *end != '\0' || *out > max ? -1 : 0;
}

/* octal digits only, at most 0777, owner read and write kept */
static int
parse_mode(const char *s, unsigned int *out)
{
	unsigned int v = 0;
	size_t i, n = strlen(s);

	if (n == 0 || n > 4)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -1;
		v = v * 8 + (unsigned int)(s[i] - '0');
	}
	if (v > 0777 || (v & 0600) != 0600)
		return -1;
	*out = v;
	return 0;
}

static int
parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char end;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = b[i];
	/* a unicast address */
	return (mac[0] & 1) ? -1 : 0;
}

/*
 * Every VF holds its queues' eventfds, a listening socket and a vhost-user
 * socket (2q + 3 fds): without these the model cannot start. A client attached
 * to a VF brings its own: the connection, its DMA regions, the config and the
 * queue vectors' eventfds (up to 2q + 4). 1024 VFs of 8 queue pairs hold 18,000
 * fds at ready, so a soft limit sized for the VFs alone ran out once a few
 * hundred of them had a client: the soft limit goes up to what every VF with
 * a client needs, or to the hard limit, with a warning when that is short.
 */
static int
raise_fd_limit(const struct vfemu_opts *o)
{
	unsigned long base = (unsigned long)o->nb_vfs * (2 * o->queue_pairs + 3) + 256;
	unsigned long full = base + (unsigned long)o->nb_vfs * (2 * o->queue_pairs + 4);
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -1;
	if (rl.rlim_cur < full) {
		rl.rlim_cur = rl.rlim_max < full ? rl.rlim_max : full;
		setrlimit(RLIMIT_NOFILE, &rl);
		if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
			return -1;
	}
	if (rl.rlim_cur < base) {
		fprintf(stderr, "tmmr-vfemu: need %lu file descriptors, the limit is %lu\n",
			base, (unsigned long)rl.rlim_cur);
		return -1;
	}
	if (rl.rlim_cur < full)
		fprintf(stderr, "tmmr-vfemu: warning: %lu file descriptors (the hard limit)"
			" cover the VFs but not a client on each (%lu): raise ulimit -Hn\n",
			(unsigned long)rl.rlim_cur, full);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sysfs", required_argument, NULL, 's' },
		{ "vfs", required_argument, NULL, 'n' },
		{ "backend", required_argument, NULL, 'b' },
		{ "server", no_argument, NULL, 'S' },
		{ "queue-pairs", required_argument, NULL, 'q' },
		{ "queue-size", required_argument, NULL, 'z' },
		{ "pf", required_argument, NULL, 'p' },
		{ "ctl", required_argument, NULL, 'c' },
		{ "mac-base", required_argument, NULL, 'm' },
		{ "mtu", required_argument, NULL, 'M' },
		{ "socket-mode", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = on_signal };
	struct vfemu_opts o;
	struct vfemu_pf *pf;
	unsigned long v;
	char err[256];
	int c, rc;

	vfemu_opts_default(&o);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.sysfs_dir = optarg;
			break;
		case 'n':
			if (parse_uint(optarg, VFEMU_MAX_VFS, &v) < 0 || v == 0)
				usage(argv[0], "--vfs: 1..1024");
			o.nb_vfs = v;
			break;
		case 'b':
			if (strncmp(optarg, "vhost-user:", 11) != 0 || optarg[11] == '\0')
				usage(argv[0], "--backend: vhost-user:PREFIX");
			o.backend_prefix = optarg + 11;
			break;
		case 'S':
			o.backend_server = true;
			break;
		case 'q':
			if (parse_uint(optarg, TMMR_MAX_QUEUE_PAIRS, &v) < 0 || v == 0)
				usage(argv[0], "--queue-pairs: 1..8");
			o.queue_pairs = v;
			break;
		case 'z':
			if (parse_uint(optarg, 32768, &v) < 0 || v < 2 || (v & (v - 1)))
				usage(argv[0], "--queue-size: a power of 2, 2..32768");
			o.queue_size = v;
			break;
		case 'p':
			if (vfemu_pci_addr_parse(optarg, &o.pf) < 0)
				usage(argv[0], "--pf: dddd:bb:dd.f");
			break;
		case 'c':
			o.ctl_path = optarg;
			break;
		case 'm':
			if (parse_mac(optarg, o.mac_base) < 0)
				usage(argv[0], "--mac-base: a unicast xx:xx:xx:xx:xx:xx");
			break;
		case 'M':
			if (parse_uint(optarg, VFEMU_MTU_MAX, &v) < 0 || v < VFEMU_MTU_MIN)
				usage(argv[0], "--mtu: an MTU of 68..65535 bytes");
			o.mtu = v;
			break;
		case 'o':
			if (parse_mode(optarg, &o.socket_mode) < 0)
				usage(argv[0], "--socket-mode: an octal mode such as 0660 that keeps "
				      "the owner's read and write bits (0600..0777)");
			break;
		case 'h':
			usage_to(stdout, 0, argv[0], NULL);
			break;
		default:
			usage(argv[0], NULL);
		}
	}
	if (optind != argc)
		usage(argv[0], "unexpected argument");
	if (o.sysfs_dir == NULL || o.nb_vfs == 0 || o.backend_prefix == NULL)
		usage(argv[0], "--sysfs, --vfs and --backend are required");
	if (vfemu_vf_rid(o.pf.rid, o.nb_vfs - 1) < 0)
		usage(argv[0], "--vfs: the VFs do not fit after --pf");
	if (raise_fd_limit(&o) < 0)
		return 1;

	signal(SIGPIPE, SIG_IGN);
	the_loop = vfemu_loop_create();
	if (the_loop == NULL)
		return 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pf = vfemu_pf_create(the_loop, &o, err, sizeof(err));
	if (pf == NULL) {
		fprintf(stderr, "tmmr-vfemu: %s\n", err);
		vfemu_loop_destroy(the_loop);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	rc = vfemu_loop_run(the_loop, TICK_MS);
	vfemu_pf_destroy(pf);
	vfemu_loop_destroy(the_loop);
	return rc < 0 ? 1 : 0;
}
