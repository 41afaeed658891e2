/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vfemu_ctl.h"
#include "vfemu_sock.h"
#include "vfemu_pf.h"

#define CTL_LINE_MAX	256
#define CTL_MAX_CLIENTS	16

struct ctl_client {
	int fd;
	char buf[CTL_LINE_MAX];
	size_t len;
};

struct vfemu_ctl {
	struct vfemu_loop *loop;
	struct vfemu_pf *pf;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd;
	struct ctl_client clients[CTL_MAX_CLIENTS];
};

static int
parse_vf(struct vfemu_pf *pf, const char *s, unsigned int *n)
{
	char *end;
	unsigned long v;

	if (s == NULL)
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v >= vfemu_pf_nb_vfs(pf))
		return -1;
	*n = v;
	return 0;
}

void
vfemu_ctl_exec(struct vfemu_pf *pf, struct vfemu_loop *loop, const char *line, char *out,
	       size_t outlen)
{
	char copy[CTL_LINE_MAX], *save = NULL, *cmd, *arg, *arg2, *extra;
	struct vfemu_dev *dev;
	unsigned int n;

	snprintf(copy, sizeof(copy), "%s", line);
	cmd = strtok_r(copy, " \t\r", &save);
	arg = strtok_r(NULL, " \t\r", &save);
	arg2 = strtok_r(NULL, " \t\r", &save);
	extra = strtok_r(NULL, " \t\r", &save);
	if (cmd == NULL) {
		snprintf(out, outlen, "error empty command");
		return;
	}
	if (strcmp(cmd, "quit") == 0 && arg == NULL) {
		vfemu_loop_stop(loop);
		snprintf(out, outlen, "ok");
		return;
	}
	if (strcmp(cmd, "link") != 0 && strcmp(cmd, "unplug") != 0 &&
	    strcmp(cmd, "status") != 0 && strcmp(cmd, "announce") != 0 &&
	    strcmp(cmd, "needs-reset") != 0) {
		snprintf(out, outlen, "error unknown command");
		return;
	}
	if (parse_vf(pf, arg, &n) < 0) {
		snprintf(out, outlen, "error bad vf");
		return;
	}
	dev = vfemu_pf_dev(pf, n);
	if (dev == NULL) {
		snprintf(out, outlen, "error vf unplugged");
		return;
	}
	if (strcmp(cmd, "link") == 0) {
		if (arg2 == NULL || extra != NULL ||
		    (strcmp(arg2, "up") != 0 && strcmp(arg2, "down") != 0)) {
			snprintf(out, outlen, "error usage: link <vf> up|down");
			return;
		}
		vfemu_dev_force_link(dev, strcmp(arg2, "down") == 0);
	} else if (arg2 != NULL) {
		snprintf(out, outlen, "error too many arguments");
		return;
	} else if (strcmp(cmd, "unplug") == 0) {
		vfemu_pf_unplug(pf, n);
	} else if (strcmp(cmd, "announce") == 0) {
		if (vfemu_dev_announce(dev) < 0) {
			snprintf(out, outlen, "error GUEST_ANNOUNCE not negotiated");
			return;
		}
	} else if (strcmp(cmd, "needs-reset") == 0) {
		/* a device fault: only a device a driver has begun to use can report one */
		if (dev->status == 0) {
			snprintf(out, outlen, "error vf is reset (no driver status)");
			return;
		}
		vfemu_dev_needs_reset(dev, "requested on the control socket");
	} else {
		vfemu_dev_status_line(dev, out, outlen);
		return;
	}
	snprintf(out, outlen, "ok");
}

static void
drop_client(struct vfemu_ctl *ctl, struct ctl_client *c)
{
	vfemu_loop_del(ctl->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static void
reply(struct ctl_client *c, const char *text)
{
	char line[1024];
	int n = snprintf(line, sizeof(line), "%s\n", text);
	ssize_t r = send(c->fd, line, n, MSG_NOSIGNAL | MSG_DONTWAIT);

	(void)r;
}

static void
client_event(void *opaque, int fd, uint32_t events)
{
	struct vfemu_ctl *ctl = opaque;
	struct ctl_client *c = NULL;
	unsigned int i;
	ssize_t n;
	char *nl;

	(void)events;
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		if (ctl->clients[i].fd == fd)
			c = &ctl->clients[i];
	if (c == NULL)
		return;
	n = recv(fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		drop_client(ctl, c);
		return;
	}
	if (n < 0)
		return;
	c->len += n;
	c->buf[c->len] = '\0';
	while ((nl = strchr(c->buf, '\n')) != NULL) {
		char out[1024];
		int fd_before = c->fd;

		*nl = '\0';
		vfemu_ctl_exec(ctl->pf, ctl->loop, c->buf, out, sizeof(out));
		reply(c, out);
		if (c->fd != fd_before)
			return;
		c->len -= nl + 1 - c->buf;
		memmove(c->buf, nl + 1, c->len + 1);
	}
	if (c->len == sizeof(c->buf) - 1) {
		reply(c, "error line too long");
		drop_client(ctl, c);
	}
}

static void
listen_event(void *opaque, int fd, uint32_t events)
{
	struct vfemu_ctl *ctl = opaque;
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	unsigned int i;

	(void)events;
	if (c < 0)
		return;
	for (i = 0; i < CTL_MAX_CLIENTS; i++) {
		if (ctl->clients[i].fd < 0 &&
		    vfemu_loop_add(ctl->loop, c, EPOLLIN, client_event, ctl) == 0) {
			ctl->clients[i].fd = c;
			ctl->clients[i].len = 0;
			return;
		}
	}
	close(c);
}

struct vfemu_ctl *
vfemu_ctl_create(struct vfemu_loop *loop, struct vfemu_pf *pf, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vfemu_ctl *ctl;
	unsigned int i;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL)
		return NULL;
	ctl->loop = loop;
	ctl->pf = pf;
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		ctl->clients[i].fd = -1;
	snprintf(ctl->path, sizeof(ctl->path), "%s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ctl->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->listen_fd < 0)
		goto fail;
	unlink(path);
	if (vfemu_bind_private(ctl->listen_fd, &sa) < 0 ||
	    listen(ctl->listen_fd, 8) < 0 ||
	    vfemu_loop_add(loop, ctl->listen_fd, EPOLLIN, listen_event, ctl) < 0) {
		close(ctl->listen_fd);
		unlink(path);
		goto fail;
	}
	return ctl;
fail:
	free(ctl);
	return NULL;
}

void
vfemu_ctl_destroy(struct vfemu_ctl *ctl)
{
	unsigned int i;

	if (ctl == NULL)
		return;
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		if (ctl->clients[i].fd >= 0)
			drop_client(ctl, &ctl->clients[i]);
	vfemu_loop_del(ctl->loop, ctl->listen_fd);
	close(ctl->listen_fd);
	unlink(ctl->path);
	free(ctl);
}
