/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/* Application arguments (everything after EAL's "--"). No EAL call here, so the parser is
 * unit-testable on its own.
 */

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "relay.h"

enum {
	OPT_VF = 256,
	OPT_SOCKET_DIR,
	OPT_CLIENT,
	OPT_NO_LINK_REFLECT,
	OPT_LINK_HOLD_MS,
	OPT_STATS_INTERVAL,
	OPT_BURST,
	OPT_BUSY_POLL_US,
	OPT_MBUFS,
	OPT_SOCKET_MODE,
	OPT_MODE,
	OPT_FALLBACK,
	OPT_HELP,
};

static const struct option relay_long_options[] = {
	{ "vf", required_argument, NULL, OPT_VF },
	{ "socket-dir", required_argument, NULL, OPT_SOCKET_DIR },
	{ "client", no_argument, NULL, OPT_CLIENT },
	{ "no-link-reflect", no_argument, NULL, OPT_NO_LINK_REFLECT },
	{ "link-hold-ms", required_argument, NULL, OPT_LINK_HOLD_MS },
	{ "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "busy-poll-us", required_argument, NULL, OPT_BUSY_POLL_US },
	{ "mbufs", required_argument, NULL, OPT_MBUFS },
	{ "socket-mode", required_argument, NULL, OPT_SOCKET_MODE },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "fallback", required_argument, NULL, OPT_FALLBACK },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

void
relay_usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- [options]\n"
	       "  --vf DEV[,socket=PATH][,lcore=N[:N...]][,queues=Q][,mtu=M][,lro=0|1]\n"
	       "        relay ethdev port DEV (port id or device name); repeat per VF.\n"
	       "        Without any --vf every probed port is relayed.\n"
	       "        queues=Q: Q queue pairs, 1..%d (guest pair i <-> VF pair i; QEMU\n"
	       "        netdev queues=Q, device mq=on); lcore=A:B: pair i on the i-th lcore\n"
	       "        of the list, round robin; mtu=M: the VF's MTU, %d..%d (QEMU\n"
	       "        host_mtu= at most M); lro=1: ask the VF for LRO, so that guests\n"
	       "        that ack GUEST_TSO4/6 get coalesced segments (default 0: a switch\n"
	       "        passes packets as they came, and the VF's Rx stays unscattered)\n"
	       "  --socket-dir DIR     socket of a VF without socket=: DIR/<device name>.sock\n"
	       "  --socket-mode MODE   octal mode of the sockets the relay creates, 0600..0777\n"
	       "                       with the owner's read and write bits (default 0600)\n"
	       "  --mode copy|vdpa     copy: forwarding lcores copy packets between guest and\n"
	       "                       VF (default); vdpa: each VF runs its guest's rings\n"
	       "                       (legacy guests; -a BDF,class=vdpa, DEV is the BDF)\n"
	       "  --fallback none|copy with --mode vdpa: a guest the VF refuses stays idle\n"
	       "                       (none, default) or is served by copying (copy: the\n"
	       "                       VF becomes an ethdev until that guest leaves; needs\n"
	       "                       a worker lcore, e.g. -l 0,1)\n"
	       "  --client             vhost-user client mode (QEMU is the server)\n"
	       "  --no-link-reflect    keep the guest connected while the VF link is down\n"
	       "  --link-hold-ms N     reflect a VF link down once it lasted N ms, 0..60000\n"
	       "                       (default 1000; a shorter one is counted in link_blips)\n"
	       "  --stats-interval S   log a counter line every S seconds (0: off, default 10)\n"
	       "  --burst N            packets per burst, 1..%d (default 32)\n"
	       "  --busy-poll-us N     busy-poll time before sleeping (default 200)\n"
	       "  --mbufs N            mbuf pool size (default: sized for the VFs)\n"
	       "  --help               these options (before --: EAL's options too)\n",
	       prog, RELAY_MAX_QUEUES, RELAY_MTU_MIN, RELAY_MTU_MAX, RELAY_BURST_MAX);
}

static int __attribute__((format(printf, 3, 4)))
relay_config_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int
relay_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
relay_socket_path_ok(const char *path)
{
	struct sockaddr_un sun;

	return path[0] != '\0' && strlen(path) < sizeof(sun.sun_path);
}

/* octal digits only, at most 0777, the owner's read and write bits kept */
static int
relay_parse_mode(const char *s, unsigned int *out)
{
	unsigned int v = 0;
	size_t i, n = strlen(s);

	if (n == 0 || n > 4)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -EINVAL;
		v = v * 8 + (unsigned int)(s[i] - '0');
	}
	if (v > 0777 || (v & 0600) != 0600)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A[:B...]: at most RELAY_MAX_QUEUES lcore ids */
static int
relay_parse_lcores(const char *s, struct relay_vf_opt *vf)
{
	char buf[16 * RELAY_MAX_QUEUES], *save = NULL, *tok;
	unsigned long v;

	if (strlen(s) >= sizeof(buf) || s[0] == '\0' || s[strlen(s) - 1] == ':')
		return -EINVAL;
	strcpy(buf, s);
	vf->nb_lcores = 0;
	for (tok = strtok_r(buf, ":", &save); tok != NULL; tok = strtok_r(NULL, ":", &save)) {
		if (vf->nb_lcores == RELAY_MAX_QUEUES ||
		    relay_parse_uint(tok, 0, RTE_MAX_LCORE - 1, &v) < 0)
			return -EINVAL;
		vf->lcores[vf->nb_lcores++] = v;
	}
	if (vf->nb_lcores == 0 || strstr(s, "::") != NULL || s[0] == ':')
		return -EINVAL;
	vf->lcore = (int)vf->lcores[0];
	return 0;
}

/* DEV[,socket=PATH][,lcore=N[:N...]][,queues=Q][,mtu=M][,lro=0|1] */
static int
relay_parse_vf(const char *arg, struct relay_options *opt, char *err, size_t errlen)
{
	char buf[PATH_MAX + RTE_ETH_NAME_MAX_LEN + 64];
	char *save = NULL, *tok;
	unsigned int i = opt->nb_vfs;
	unsigned long v;

	if (i >= RELAY_MAX_PAIRS)
		return relay_config_error(err, errlen,
			"too many --vf: one process relays at most %d VFs (RTE_MAX_ETHPORTS); "
			"run one process per shard of VFs", RELAY_MAX_PAIRS);
	if (strlen(arg) >= sizeof(buf))
		return relay_config_error(err, errlen, "--vf argument too long");
	strcpy(buf, arg);
	memset(&opt->vf[i], 0, sizeof(opt->vf[i]));
	opt->vf[i].lcore = -1;
	opt->vf[i].queues = 1;
	tok = strtok_r(buf, ",", &save);
	if (tok == NULL || strchr(tok, '=') != NULL)
		return relay_config_error(err, errlen,
			"--vf '%s': expected DEV[,socket=PATH][,lcore=N[:N...]][,queues=Q][,mtu=M]"
			"[,lro=0|1]",
			arg);
	if (strlen(tok) >= sizeof(opt->vf[i].dev))
		return relay_config_error(err, errlen, "--vf '%s': device name too long", arg);
	strcpy(opt->vf[i].dev, tok);
	while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
		if (strncmp(tok, "socket=", 7) == 0) {
			if (!relay_socket_path_ok(tok + 7))
				return relay_config_error(err, errlen,
					"socket path empty or longer than %zu bytes in --vf '%s'",
					sizeof(((struct sockaddr_un *)0)->sun_path) - 1, arg);
			strcpy(opt->vf[i].socket, tok + 7);
		} else if (strncmp(tok, "lcore=", 6) == 0) {
			if (relay_parse_lcores(tok + 6, &opt->vf[i]) < 0)
				return relay_config_error(err, errlen,
					"--vf '%s': lcore must be 0..%d, or a list A:B of at most %d",
					arg, RTE_MAX_LCORE - 1, RELAY_MAX_QUEUES);
		} else if (strncmp(tok, "queues=", 7) == 0) {
			if (relay_parse_uint(tok + 7, 1, RELAY_MAX_QUEUES, &v) < 0)
				return relay_config_error(err, errlen,
					"--vf '%s': queues must be 1..%d", arg, RELAY_MAX_QUEUES);
			opt->vf[i].queues = v;
		} else if (strncmp(tok, "mtu=", 4) == 0) {
			if (relay_parse_uint(tok + 4, RELAY_MTU_MIN, RELAY_MTU_MAX, &v) < 0)
				return relay_config_error(err, errlen,
					"--vf '%s': mtu must be %d..%d", arg, RELAY_MTU_MIN,
					RELAY_MTU_MAX);
			opt->vf[i].mtu = v;
		} else if (strncmp(tok, "lro=", 4) == 0) {
			if (relay_parse_uint(tok + 4, 0, 1, &v) < 0)
				return relay_config_error(err, errlen,
					"--vf '%s': lro must be 0 or 1", arg);
			opt->vf[i].lro = v == 1;
		} else {
			return relay_config_error(err, errlen,
				"--vf '%s': unknown key '%s' (socket=, lcore=, queues=, mtu=, lro=)",
				arg, tok);
		}
	}
	if (opt->vf[i].nb_lcores > opt->vf[i].queues)
		return relay_config_error(err, errlen,
			"--vf '%s': %u lcores for %u queue pair(s): at most one per pair", arg,
			opt->vf[i].nb_lcores, opt->vf[i].queues);
	opt->nb_vfs++;
	return 0;
}

static int
relay_check_options(struct relay_options *opt, char *err, size_t errlen)
{
	unsigned int i, j;

	for (i = 0; i < opt->nb_vfs; i++) {
		if (opt->vf[i].socket[0] == '\0' && opt->socket_dir[0] == '\0')
			return relay_config_error(err, errlen,
				"--vf %s has no socket=PATH and no --socket-dir is given",
				opt->vf[i].dev);
		for (j = 0; j < i; j++) {
			if (strcmp(opt->vf[i].dev, opt->vf[j].dev) == 0)
				return relay_config_error(err, errlen,
					"VF %s is given twice", opt->vf[i].dev);
			if (opt->vf[i].socket[0] != '\0' &&
			    strcmp(opt->vf[i].socket, opt->vf[j].socket) == 0)
				return relay_config_error(err, errlen,
					"socket %s is given to two VFs", opt->vf[i].socket);
		}
	}
	for (i = 0; i < opt->nb_vfs && opt->vdpa_mode; i++) {
		if (opt->vf[i].lcore >= 0)
			return relay_config_error(err, errlen,
				"--vf %s: lcore= with --mode vdpa, which has no forwarding lcores",
				opt->vf[i].dev);
		else if (opt->vf[i].queues != 1 || opt->vf[i].mtu != 0 || opt->vf[i].lro)
			/* the guest's QEMU chooses them; the VF's own limits apply */
			return relay_config_error(err, errlen,
				"--vf %s: queues=, mtu= and lro= with --mode vdpa, where the "
				"guest's pairs, MTU and offloads are its own, up to the VF's",
				opt->vf[i].dev);
	}
	if (opt->fallback_copy && !opt->vdpa_mode)
		return relay_config_error(err, errlen,
			"--fallback copy without --mode vdpa: copy mode copies already");
	if (opt->nb_vfs == 0 && opt->socket_dir[0] == '\0')
		return relay_config_error(err, errlen,
			"no --vf given: relaying every port needs --socket-dir");
	if (opt->client_mode && opt->socket_mode != RELAY_SOCKET_MODE)
		return relay_config_error(err, errlen,
			"--socket-mode with --client: the relay creates no socket, QEMU does");
	return 0;
}

int
relay_parse_args(int argc, char **argv, struct relay_options *opt, char *err, size_t errlen)
{
	unsigned long v;
	int c, ret;

	memset(opt, 0, sizeof(*opt));
	opt->link_reflect = true;
	opt->link_hold_ms = 1000;
	opt->stats_interval_s = 10;
	opt->burst = 32;
	opt->busy_poll_us = 200;
	opt->socket_mode = RELAY_SOCKET_MODE;
	err[0] = '\0';

	optind = 0;	/* glibc: full rescan state reset, the parser may run more than once */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", relay_long_options, NULL)) != -1) {
		switch (c) {
		case OPT_VF:
			ret = relay_parse_vf(optarg, opt, err, errlen);
			if (ret < 0)
				return ret;
			break;
		case OPT_SOCKET_DIR:
			/* room for "/<device name>.sock" is checked once names are known */
			if (optarg[0] == '\0' || strlen(optarg) >= sizeof(opt->socket_dir))
				return relay_config_error(err, errlen, "--socket-dir: bad path");
			strcpy(opt->socket_dir, optarg);
			break;
		case OPT_CLIENT:
			opt->client_mode = true;
			break;
		case OPT_NO_LINK_REFLECT:
			opt->link_reflect = false;
			break;
		case OPT_LINK_HOLD_MS:
			if (relay_parse_uint(optarg, 0, 60000, &v) < 0)
				return relay_config_error(err, errlen,
					"--link-hold-ms '%s': expected 0..60000", optarg);
			opt->link_hold_ms = v;
			break;
		case OPT_STATS_INTERVAL:
			if (relay_parse_uint(optarg, 0, 86400, &v) < 0)
				return relay_config_error(err, errlen,
					"--stats-interval '%s': expected seconds 0..86400", optarg);
			opt->stats_interval_s = v;
			break;
		case OPT_BURST:
			if (relay_parse_uint(optarg, 1, RELAY_BURST_MAX, &v) < 0)
				return relay_config_error(err, errlen,
					"--burst '%s': expected 1..%d", optarg, RELAY_BURST_MAX);
			opt->burst = v;
			break;
		case OPT_BUSY_POLL_US:
			if (relay_parse_uint(optarg, 0, 1000000, &v) < 0)
				return relay_config_error(err, errlen,
					"--busy-poll-us '%s': expected 0..1000000", optarg);
			opt->busy_poll_us = v;
			break;
		case OPT_MBUFS:
			if (relay_parse_uint(optarg, 1024, 1u << 24, &v) < 0)
				return relay_config_error(err, errlen,
					"--mbufs '%s': expected 1024..16777216", optarg);
			opt->nb_mbufs = v;
			break;
		case OPT_SOCKET_MODE:
			if (relay_parse_mode(optarg, &opt->socket_mode) < 0)
				return relay_config_error(err, errlen,
					"--socket-mode '%s': expected an octal mode 0600..0777 that "
					"keeps the owner's read and write bits, e.g. 0660", optarg);
			break;
		case OPT_MODE:
			if (strcmp(optarg, "copy") != 0 && strcmp(optarg, "vdpa") != 0)
				return relay_config_error(err, errlen,
					"--mode '%s': expected copy or vdpa", optarg);
			opt->vdpa_mode = strcmp(optarg, "vdpa") == 0;
			break;
		case OPT_FALLBACK:
			if (strcmp(optarg, "none") != 0 && strcmp(optarg, "copy") != 0)
				return relay_config_error(err, errlen,
					"--fallback '%s': expected none or copy", optarg);
			opt->fallback_copy = strcmp(optarg, "copy") == 0;
			break;
		case 'h':
		case OPT_HELP:
			return relay_config_error(err, errlen, "help");
		default:
			if (optopt != 0 && optopt < 256)
				return relay_config_error(err, errlen, "unknown option '-%c'",
					optopt);
			return relay_config_error(err, errlen, "unknown or incomplete option '%s'",
				argv[optind - 1]);
		}
	}
	if (optind < argc)
		return relay_config_error(err, errlen, "unexpected argument '%s'", argv[optind]);
	return relay_check_options(opt, err, errlen);
}
