/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * A secondary's side of the fd handover (tmmr_mp.c): which fd of a primary's
 * reply becomes which doorbell or Rx vector, and that no fd leaks, whatever
 * the reply looks like.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <cmocka.h>

#include "tmmr_mp.h"

#define NB_VQ_MAX	16

struct env {
	struct rte_mp_msg m;
	struct tmmr_mp_rep rep;
	struct tmmr_doorbell nt[NB_VQ_MAX];
	int vec[4];
	int fds[RTE_MP_MAX_FD_NUM];
};

static bool
fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/* A reply for slots @first.. of @nb_vq doorbells and @nb_rxvec vectors. */
static void
reply(struct env *e, uint16_t first, uint16_t nb_vq, uint16_t nb_rxvec, const char *kinds,
	int nfds)
{
	int i;

	memset(e, 0, sizeof(*e));
	for (i = 0; i < NB_VQ_MAX; i++)
		e->nt[i].efd = -1;
	for (i = 0; i < 4; i++)
		e->vec[i] = -1;
	e->rep.nb_vq = nb_vq;
	e->rep.nb_rxvec = nb_rxvec;
	e->rep.first = first;
	e->rep.count = strlen(kinds);
	for (i = 0; kinds[i] != '\0'; i++)
		e->rep.kind[i] = kinds[i] == 'f' ? TMMR_MP_SLOT_FD :
			kinds[i] == 'm' ? TMMR_MP_SLOT_MMIO : TMMR_MP_SLOT_NONE;
	for (i = 0; i < nfds; i++) {
		e->fds[i] = eventfd(0, EFD_CLOEXEC);
		assert_true(e->fds[i] >= 0);
		e->m.fds[i] = e->fds[i];
	}
	e->m.num_fds = nfds;
}

static bool
take(struct env *e, uint16_t first, uint16_t nb_vq, uint16_t nb_rxvec)
{
	return tmmr_mp_take_slots(&e->m, &e->rep, first, nb_vq, nb_rxvec, e->nt, e->vec);
}

/* Every fd of the reply is either taken or closed; close the taken ones. */
static void
no_leak(struct env *e, int nfds)
{
	int i, k, owners;

	for (i = 0; i < nfds; i++) {
		owners = 0;
		for (k = 0; k < NB_VQ_MAX; k++)
			owners += e->nt[k].efd == e->fds[i];
		for (k = 0; k < 4; k++)
			owners += e->vec[k] == e->fds[i];
		if (owners > 0) {
			assert_int_equal(owners, 1);
			assert_true(fd_open(e->fds[i]));
			close(e->fds[i]);
		} else {
			assert_false(fd_open(e->fds[i]));
		}
	}
}

static void
test_take_kinds(void **state)
{
	struct env e;

	(void)state;
	/* 4 doorbells: fd, slow path, MMIO, fd; 2 Rx vectors with fds */
	reply(&e, 0, 4, 2, "fnmfff", 4);
	assert_true(take(&e, 0, 4, 2));
	assert_int_equal(e.nt[0].efd, e.fds[0]);
	assert_int_equal(e.nt[1].efd, -1);
	assert_int_equal(e.nt[2].efd, -1);
	assert_int_equal(e.nt[3].efd, e.fds[1]);
	assert_int_equal(e.vec[0], e.fds[2]);
	assert_int_equal(e.vec[1], e.fds[3]);
	no_leak(&e, 4);
}

static void
test_take_second_chunk(void **state)
{
	struct env e;

	(void)state;
	/* slots 8..11 of 10 doorbells and 2 vectors */
	reply(&e, 8, 10, 2, "ffnf", 3);
	assert_true(take(&e, 8, 10, 2));
	assert_int_equal(e.nt[8].efd, e.fds[0]);
	assert_int_equal(e.nt[9].efd, e.fds[1]);
	assert_int_equal(e.vec[0], -1);
	assert_int_equal(e.vec[1], e.fds[2]);
	assert_int_equal(e.nt[0].efd, -1);
	no_leak(&e, 3);
}

static void
test_take_extra_fds_closed(void **state)
{
	struct env e;

	(void)state;
	reply(&e, 0, 2, 0, "fn", 3);
	assert_true(take(&e, 0, 2, 0));
	assert_int_equal(e.nt[0].efd, e.fds[0]);
	no_leak(&e, 3);
}

static void
test_take_missing_fd(void **state)
{
	struct env e;

	(void)state;
	reply(&e, 0, 2, 0, "ff", 1);
	assert_false(take(&e, 0, 2, 0));
	no_leak(&e, 1);
}

static void
test_take_malformed(void **state)
{
	struct env e;

	(void)state;
	/* another first slot than asked */
	reply(&e, 2, 4, 0, "ff", 2);
	assert_false(take(&e, 0, 4, 0));
	no_leak(&e, 2);
	/* another layout than the first reply said */
	reply(&e, 0, 4, 0, "ff", 2);
	assert_false(take(&e, 0, 6, 0));
	no_leak(&e, 2);
	reply(&e, 0, 4, 1, "ff", 2);
	assert_false(take(&e, 0, 4, 0));
	no_leak(&e, 2);
	/* more slots than there are */
	reply(&e, 2, 4, 0, "fff", 3);
	assert_false(take(&e, 2, 4, 0));
	no_leak(&e, 3);
	/* no slots: the secondary would ask forever */
	reply(&e, 0, 4, 0, "", 1);
	assert_false(take(&e, 0, 4, 0));
	no_leak(&e, 1);
	/* more slots than one reply may carry */
	reply(&e, 0, 12, 0, "nnnnnnnn", 0);
	e.rep.count = RTE_MP_MAX_FD_NUM + 1;
	assert_false(take(&e, 0, 12, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_take_kinds),
		cmocka_unit_test(test_take_second_chunk),
		cmocka_unit_test(test_take_extra_fds_closed),
		cmocka_unit_test(test_take_missing_fd),
		cmocka_unit_test(test_take_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
