/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The VF link as the guest sees it, in both modes. A guest learns of a link down only by
 * losing its vhost-user connection (QEMU marks its virtio-net link down while the socket is
 * closed), which costs it a reconnect and, in vDPA mode, a VF reset. So a down is reflected
 * once it has lasted --link-hold-ms: a VF whose backend reconnects (the model renews its
 * session with a slow or restarted switch) blinks for less than that.
 */

#include <inttypes.h>

#include <rte_cycles.h>
#include <rte_log.h>

#include "relay.h"

#define RLOG(level, fmt, ...) \
	RTE_LOG(level, USER1, "tmmr_relay: " fmt "\n", ##__VA_ARGS__)

void
relay_link_init(struct relay_link *l, const struct relay_options *opt, bool reflect)
{
	l->reflect = reflect;
	l->hold_ms = opt->link_hold_ms;
	l->up = true;
	l->down_pending = false;
}

bool
relay_link_start(struct relay_link *l, bool up, const char *vf, const char *path)
{
	l->up = up;
	l->down_pending = false;
	if (up || !l->reflect)
		return true;
	RLOG(INFO, "VF %s: link down, socket %s opens when it comes up", vf, path);
	return false;
}

bool
relay_link_follow(struct relay_link *l, const char *vf, bool up, uint64_t now_ms)
{
	if (up && l->down_pending) {
		__atomic_add_fetch(&l->blips, 1, __ATOMIC_RELAXED);
		RLOG(INFO, "VF %s: link down for %" PRIu64 " ms, up again within --link-hold-ms "
		     "%u: not reflected", vf, now_ms - l->down_since_ms, l->hold_ms);
		l->down_pending = false;
	}
	if (!up && l->up && l->hold_ms != 0) {
		if (!l->down_pending) {
			l->down_pending = true;
			l->down_since_ms = now_ms;
		}
		if (now_ms - l->down_since_ms < l->hold_ms)
			return true;
		l->down_pending = false;
	}
	if (up != l->up) {
		l->up = up;
		__atomic_add_fetch(&l->changes, 1, __ATOMIC_RELAXED);
		RLOG(INFO, "VF %s: link %s", vf, up ? "up" : "down");
	}
	return l->up || !l->reflect;
}

uint64_t
relay_now_ms(void)
{
	return rte_get_timer_cycles() / (rte_get_timer_hz() / 1000);
}
