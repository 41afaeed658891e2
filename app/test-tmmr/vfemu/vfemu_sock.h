/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef VFEMU_SOCK_H
#define VFEMU_SOCK_H

/*
 * The model's listening sockets (vfio-user, control) are owner-only: whoever
 * may connect drives the device, maps memory into the model and reads it.
 * They are born with mode 0600 (no moment where others may connect);
 * tmmr-vfemu --socket-mode widens them afterwards on purpose.
 */

#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#define VFEMU_SOCKET_MODE	0600

/* bind() with the file created 0600 whatever the umask (the model is single-threaded) */
static inline int
vfemu_bind_private(int fd, const struct sockaddr_un *sa)
{
	mode_t old = umask(0177);
	int rc = bind(fd, (const struct sockaddr *)sa, sizeof(*sa));
	int err = errno;

	umask(old);
	errno = err;
	return rc;
}

#endif /* VFEMU_SOCK_H */
