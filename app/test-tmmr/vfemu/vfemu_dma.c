/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vfemu_dma.h"

#define DMA_PAGE 4096ull

/*
 * A client can shrink a mapped file after DMA_MAP; touching the pages past
 * its new end raises SIGBUS. Copies to and from driver memory arm a jump
 * back, so such an access fails with -EFAULT instead of killing the model.
 */
static __thread sigjmp_buf *dma_fault_jmp;
static struct sigaction dma_prev_sigbus;

static void
dma_sigbus(int sig, siginfo_t *si, void *uc)
{
	if (dma_fault_jmp != NULL)
		siglongjmp(*dma_fault_jmp, 1);
	/* not ours: whatever handled it before */
	if (dma_prev_sigbus.sa_flags & SA_SIGINFO) {
		dma_prev_sigbus.sa_sigaction(sig, si, uc);
		return;
	}
	if (dma_prev_sigbus.sa_handler != SIG_DFL && dma_prev_sigbus.sa_handler != SIG_IGN) {
		dma_prev_sigbus.sa_handler(sig);
		return;
	}
	signal(SIGBUS, SIG_DFL);
	raise(SIGBUS);
}

/* (again if someone replaced it since, as test frameworks do) */
static void
dma_install_sigbus(void)
{
	struct sigaction sa, cur;

	if (sigaction(SIGBUS, NULL, &cur) == 0 && (cur.sa_flags & SA_SIGINFO) &&
	    cur.sa_sigaction == dma_sigbus)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = dma_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &dma_prev_sigbus);
}

void
vfemu_dma_init(struct vfemu_dma *dma)
{
	memset(dma, 0, sizeof(*dma));
	dma_install_sigbus();
}

static const struct vfemu_dma_map *
find(const struct vfemu_dma *dma, uint64_t iova)
{
	unsigned int i;

	for (i = 0; i < dma->nb_maps; i++) {
		const struct vfemu_dma_map *m = &dma->maps[i];

		if (iova >= m->iova && iova - m->iova < m->size)
			return m;
	}
	return NULL;
}

int
vfemu_dma_map(struct vfemu_dma *dma, uint64_t iova, uint64_t size, int fd, uint64_t offset)
{
	struct vfemu_dma_map *m;
	struct stat st;
	unsigned int i;
	void *va;

	if (size == 0 || (iova | size | offset) & (DMA_PAGE - 1) ||
	    iova + size < iova || offset + size < offset || size > (1ull << 46))
		return -EINVAL;
	/* regular files only, and no page past the end of the file (SIGBUS on access) */
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -EBADF;
	if (offset + size > (uint64_t)st.st_size)
		return -EINVAL;
	for (i = 0; i < dma->nb_maps; i++) {
		m = &dma->maps[i];
		if (iova < m->iova + m->size && m->iova < iova + size)
			return -EEXIST;
	}
	if (dma->nb_maps == VFEMU_DMA_MAX_MAPS)
		return -ENOSPC;
	va = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)offset);
	if (va == MAP_FAILED)
		return errno == ENOMEM || errno == EINVAL ? -EINVAL : -EBADF;
	m = &dma->maps[dma->nb_maps++];
	m->iova = iova;
	m->size = size;
	m->fd_offset = offset;
	m->fd = fd;
	m->va = va;
	return 0;
}

static void
drop(struct vfemu_dma *dma, unsigned int i)
{
	struct vfemu_dma_map *m = &dma->maps[i];

	munmap(m->va, m->size);
	close(m->fd);
	*m = dma->maps[--dma->nb_maps];
}

int
vfemu_dma_unmap(struct vfemu_dma *dma, uint64_t iova, uint64_t size)
{
	unsigned int i;

	for (i = 0; i < dma->nb_maps; i++) {
		if (dma->maps[i].iova == iova && dma->maps[i].size == size) {
			drop(dma, i);
			return 0;
		}
	}
	return -ENOENT;
}

void
vfemu_dma_clear(struct vfemu_dma *dma)
{
	while (dma->nb_maps > 0)
		drop(dma, dma->nb_maps - 1);
}

bool
vfemu_dma_covered(const struct vfemu_dma *dma, uint64_t iova, uint64_t len)
{
	if (iova + len < iova)
		return false;
	while (len > 0) {
		const struct vfemu_dma_map *m = find(dma, iova);
		uint64_t chunk;

		if (m == NULL)
			return false;
		chunk = m->iova + m->size - iova;
		if (chunk >= len)
			return true;
		iova += chunk;
		len -= chunk;
	}
	return true;
}

static __attribute__((noinline)) void
copy_chunks(const struct vfemu_dma *dma, uint64_t iova, uint8_t *buf, uint64_t len, bool to_dev)
{
	while (len > 0) {
		const struct vfemu_dma_map *m = find(dma, iova);
		uint64_t off = iova - m->iova;
		uint64_t chunk = m->size - off < len ? m->size - off : len;

		if (to_dev)
			memcpy(m->va + off, buf, chunk);
		else
			memcpy(buf, m->va + off, chunk);
		iova += chunk;
		buf += chunk;
		len -= chunk;
	}
}

static int
copy(const struct vfemu_dma *dma, uint64_t iova, uint8_t *buf, uint64_t len, bool to_dev)
{
	sigjmp_buf jb;

	if (!vfemu_dma_covered(dma, iova, len))
		return -EFAULT;
	/* control path only: one sigaction() per copy is affordable */
	dma_install_sigbus();
	if (sigsetjmp(jb, 0) != 0) {
		dma_fault_jmp = NULL;
		return -EFAULT;
	}
	dma_fault_jmp = &jb;
	copy_chunks(dma, iova, buf, len, to_dev);
	dma_fault_jmp = NULL;
	return 0;
}

int
vfemu_dma_read(const struct vfemu_dma *dma, uint64_t iova, void *buf, uint64_t len)
{
	return copy(dma, iova, buf, len, false);
}

int
vfemu_dma_write(const struct vfemu_dma *dma, uint64_t iova, const void *buf, uint64_t len)
{
	return copy(dma, iova, (uint8_t *)(uintptr_t)buf, len, true);
}
