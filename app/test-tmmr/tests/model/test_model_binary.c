/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/* The tmmr-vfemu binary: options, the ready line, the tree, signals, 1024 VFs. */

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

static const char *binary;

struct proc {
	pid_t pid;
	int out;	/* its stdout */
	char dir[128];
};

static pid_t
spawn(char *const argv[], int *out_fd)
{
	int p[2];
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(p[1], 1);
		dup2(devnull, 2);	/* the vhost frontend logs its retries */
		close(p[0]);
		close(p[1]);
		execv(binary, argv);
		_exit(127);
	}
	close(p[1]);
	*out_fd = p[0];
	return pid;
}

/* exit status, or -1 if it did not end within @ms */
static int
wait_exit(pid_t pid, int ms)
{
	int st, i;

	for (i = 0; i < ms / 10; i++) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

static int
run_bad(const char *a1, const char *a2, const char *a3)
{
	char *argv[16];
	int n = 0, out, rc;
	char buf[64];
	pid_t pid;

	argv[n++] = (char *)binary;
	argv[n++] = "--sysfs";
	argv[n++] = "/tmp/model/bad-options";
	argv[n++] = "--vfs";
	argv[n++] = "1";
	argv[n++] = "--backend";
	argv[n++] = "vhost-user:/tmp/model/bad-vh";
	if (a1 != NULL)
		argv[n++] = (char *)a1;
	if (a2 != NULL)
		argv[n++] = (char *)a2;
	if (a3 != NULL)
		argv[n++] = (char *)a3;
	argv[n] = NULL;
	pid = spawn(argv, &out);
	rc = wait_exit(pid, 5000);
	/* never got as far as "ready" */
	assert_true(read(out, buf, sizeof(buf)) <= 0);
	close(out);
	return rc;
}

static void
test_bad_options(void **state)
{
	(void)state;
	assert_int_equal(run_bad("--vfs", "0", NULL), 2);
	assert_int_equal(run_bad("--vfs", "1025", NULL), 2);
	assert_int_equal(run_bad("--vfs", "12x", NULL), 2);
	assert_int_equal(run_bad("--queue-pairs", "9", NULL), 2);
	assert_int_equal(run_bad("--queue-pairs", "0", NULL), 2);
	assert_int_equal(run_bad("--queue-size", "100", NULL), 2);
	assert_int_equal(run_bad("--queue-size", "-256", NULL), 2);
	assert_int_equal(run_bad("--backend", "tap:x", NULL), 2);
	assert_int_equal(run_bad("--backend", "vhost-user:", NULL), 2);
	assert_int_equal(run_bad("--pf", "1:0.0", NULL), 2);
	assert_int_equal(run_bad("--pf", "0000:ff:1f.7", NULL), 2);	/* no room for the VF */
	assert_int_equal(run_bad("--mac-base", "01:00:00:00:00:00", NULL), 2);
	assert_int_equal(run_bad("--mac-base", "nope", NULL), 2);
	assert_int_equal(run_bad("--mtu", "67", NULL), 2);
	assert_int_equal(run_bad("--mtu", "0", NULL), 2);
	assert_int_equal(run_bad("--mtu", "65536", NULL), 2);
	assert_int_equal(run_bad("--mtu", "-1500", NULL), 2);
	assert_int_equal(run_bad("--mtu", "9k", NULL), 2);
	assert_int_equal(run_bad("--mtu", "", NULL), 2);
	assert_int_equal(run_bad("--bogus", NULL, NULL), 2);
	assert_int_equal(run_bad("extra", NULL, NULL), 2);
	assert_int_equal(run_bad("--sysfs", NULL, NULL), 2);
	assert_int_not_equal(access("/tmp/model/bad-options", F_OK), 0);
}

static void
start_with(struct proc *p, const char *tag, unsigned int vfs, int ready_ms, const char *opt,
	   const char *val)
{
	char vfs_s[16], backend[160];
	char *argv[] = { (char *)binary, "--sysfs", p->dir, "--vfs", vfs_s, "--backend", backend,
			 (char *)opt, (char *)val, NULL };
	struct pollfd pfd;
	char line[64];
	size_t got = 0;

	snprintf(p->dir, sizeof(p->dir), "/tmp/model/bin%d-%s", (int)getpid(), tag);
	snprintf(vfs_s, sizeof(vfs_s), "%u", vfs);
	snprintf(backend, sizeof(backend), "vhost-user:%s-vh", p->dir);
	p->pid = spawn(argv, &p->out);
	pfd.fd = p->out;
	pfd.events = POLLIN;
	while (got < 6) {
		ssize_t n;

		assert_true(poll(&pfd, 1, ready_ms) == 1);
		n = read(p->out, line + got, sizeof(line) - 1 - got);
		assert_true(n > 0);
		got += n;
	}
	line[got] = '\0';
	assert_string_equal(line, "ready\n");
}

static void
start(struct proc *p, const char *tag, unsigned int vfs, int ready_ms)
{
	start_with(p, tag, vfs, ready_ms, NULL, NULL);
}

static int
count_entries(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
ctl(const struct proc *p, const char *cmd, char *out, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ssize_t n;

	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%.80s/.vfemu-ctl.sock", p->dir) >=
	    sizeof(sa.sun_path))
		fail();
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, cmd, strlen(cmd)), (ssize_t)strlen(cmd));
	n = read(fd, out, len - 1);
	assert_true(n > 0);
	out[n] = '\0';
	close(fd);
}

static void
test_ready_tree_sigterm(void **state)
{
	char path[256], out[1024];
	struct proc p;

	(void)state;
	start(&p, "term", 4, 10000);
	assert_int_equal(count_entries(p.dir), 5);
	snprintf(path, sizeof(path), "%s/0000:01:00.4/vfio-user.sock", p.dir);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/0000:01:00.0/virtfn3", p.dir);
	assert_int_equal(access(path, F_OK), 0);
	ctl(&p, "status 3\n", out, sizeof(out));
	assert_true(strncmp(out, "vf=3 status=0x00 ", 17) == 0);
	assert_non_null(strstr(out, " backend=disconnected "));
	kill(p.pid, SIGTERM);
	assert_int_equal(wait_exit(p.pid, 10000), 0);
	assert_int_not_equal(access(p.dir, F_OK), 0);
	close(p.out);
}

static void
test_sigint_and_quit(void **state)
{
	char out[64];
	struct proc p;

	(void)state;
	start(&p, "int", 1, 10000);
	kill(p.pid, SIGINT);
	assert_int_equal(wait_exit(p.pid, 10000), 0);
	assert_int_not_equal(access(p.dir, F_OK), 0);
	close(p.out);

	start(&p, "quit", 2, 10000);
	ctl(&p, "quit\n", out, sizeof(out));
	assert_string_equal(out, "ok\n");
	assert_int_equal(wait_exit(p.pid, 10000), 0);
	assert_int_not_equal(access(p.dir, F_OK), 0);
	close(p.out);
}

/* stdout and stderr of the binary run by the shell with @args; its exit status */
static int
run_shell(const char *args, char *out, size_t len)
{
	char cmd[512];
	size_t got;
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), "'%s' %s 2>&1", binary, args);
	f = popen(cmd, "r");
	assert_non_null(f);
	got = fread(out, 1, len - 1, f);
	out[got] = '\0';
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_mtu_option(void **state)
{
	char out[2048];
	struct proc p;

	(void)state;
	/* the usage text lists the option (scripts such as e2e-ovs look for it); --help
	 * is no error (the man page test reads it), an unknown option is
	 */
	assert_int_equal(run_shell("--help", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "--mtu"));
	assert_int_equal(run_shell("--no-such-option", out, sizeof(out)), 2);
	assert_non_null(strstr(out, "--mtu"));
	/* a bad value says what is accepted */
	assert_int_equal(run_shell("--sysfs /tmp/model/bad-mtu --vfs 1 --backend "
				   "vhost-user:/tmp/model/bad-mtu-vh --mtu 70000", out,
				   sizeof(out)), 2);
	assert_non_null(strstr(out, "--mtu: an MTU of 68..65535 bytes"));
	assert_int_not_equal(access("/tmp/model/bad-mtu", F_OK), 0);

	start_with(&p, "mtu", 2, 10000, "--mtu", "9000");
	ctl(&p, "status 1\n", out, sizeof(out));
	assert_non_null(strstr(out, " mtu=9000"));
	kill(p.pid, SIGTERM);
	assert_int_equal(wait_exit(p.pid, 10000), 0);
	close(p.out);
	/* the bounds themselves are accepted */
	start_with(&p, "mtu68", 1, 10000, "--mtu", "68");
	ctl(&p, "status 0\n", out, sizeof(out));
	assert_non_null(strstr(out, " mtu=68"));
	kill(p.pid, SIGTERM);
	assert_int_equal(wait_exit(p.pid, 10000), 0);
	close(p.out);
	start_with(&p, "mtu65535", 1, 10000, "--mtu", "65535");
	ctl(&p, "status 0\n", out, sizeof(out));
	assert_non_null(strstr(out, " mtu=65535"));
	kill(p.pid, SIGTERM);
	assert_int_equal(wait_exit(p.pid, 10000), 0);
	close(p.out);
}

static void
test_1024_vfs(void **state)
{
	char path[256], link[64], out[1024];
	struct proc p;
	ssize_t n;

	(void)state;
	start(&p, "1024", 1024, 90000);
	assert_int_equal(count_entries(p.dir), 1025);
	/* the last VF: routing ID 0x100 + 1 + 1023 = bus 5, device 0, function 0 */
	snprintf(path, sizeof(path), "%s/0000:05:00.0/vfio-user.sock", p.dir);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/0000:01:00.0/virtfn1023", p.dir);
	n = readlink(path, link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_string_equal(link, "../0000:05:00.0");
	snprintf(path, sizeof(path), "%s/0000:01:1f.7/physfn", p.dir);	/* VF 254 */
	assert_int_equal(access(path, F_OK), 0);
	ctl(&p, "status 1023\n", out, sizeof(out));
	assert_true(strncmp(out, "vf=1023 ", 8) == 0);
	kill(p.pid, SIGTERM);
	assert_int_equal(wait_exit(p.pid, 60000), 0);
	assert_int_not_equal(access(p.dir, F_OK), 0);
	close(p.out);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_ready_tree_sigterm),
		cmocka_unit_test(test_sigint_and_quit),
		cmocka_unit_test(test_mtu_option),
		cmocka_unit_test(test_1024_vfs),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH-TO-tmmr-vfemu\n", argv[0]);
		return 2;
	}
	binary = argv[1];
	signal(SIGPIPE, SIG_IGN);
	mkdir("/tmp/model", 0755);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
