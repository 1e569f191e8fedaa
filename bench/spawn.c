/* spawn: time fork + execve + wait4 of one or more commands ("arms"),
 * interleaved, with CLOCK_MONOTONIC. Built by bench/run.sh; needs only libc.
 *
 *   spawn [-n RUNS] [-w WARMUP] [-p | -r] [-u USER] [-O OUTFILE] [-E ERRFILE]
 *         [-R RAWDIR] ARM [:: ARM ...]
 *   ARM = [@LABEL] [~USER | ~] [NAME=VALUE ...] /abs/path/program [ARG ...]
 *
 * Each arm runs with exactly the NAME=VALUE environment given (nothing is
 * inherited), stdin on /dev/null, stdout and stderr appended to OUTFILE and
 * ERRFILE (default /dev/null). Round i runs every arm once, starting at arm
 * i % narms, so no arm always goes first. Warm-up rounds are not counted.
 *
 * -u USER (when root): each child becomes USER (its primary group, no
 * supplementary groups) between fork and execve, so every arm runs
 * unprivileged and alike. ~USER does the same for one arm only; a bare ~
 * keeps that arm as the invoking user (root) despite -u, e.g. for a
 * program that drops privileges itself.
 *
 * Less noise from other load on a shared machine (both need root; the
 * children get the same treatment in every arm):
 * -p  nice -20. With sched_autogroup a nice value only counts inside its
 *     session, so this also starts a new session (own autogroup, set to
 *     nice -20 too) and asks to die with its parent, since a terminal's ^C
 *     no longer reaches it.
 * -r  SCHED_FIFO priority 1: a woken or forked task runs at once instead of
 *     waiting for a busy CPU's next tick. For short commands only. Children
 *     get SCHED_RESET_ON_FORK, so whatever they fork (a daemon, a monitor)
 *     runs at normal priority.
 *
 * Output, one line per arm, then one per arm after the first:
 *   arm LABEL runs N median_ms M p90_ms P min_ms m mean_ms a cpu_ms C maxrss_kb K
 *   diff LABEL-LABEL0 median_ms M p90_ms P
 * cpu_ms: median user+system time of the child (wait4's rusage);
 * maxrss_kb: the largest peak RSS of any run; diff: the per-round paired
 * difference against the first arm. -R DIR writes each arm's samples (ms)
 * to DIR/LABEL.txt. Exit 0; 1 on usage or setup errors; 2 when a run did
 * not exit 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXARMS 8

struct arm {
	const char *label;
	const char *user;       /* NULL: as -u says; "": stay as we are */
	int drop;
	uid_t uid;
	gid_t gid;
	char **argv;
	char **envp;
	double *ms, *cpu;
	long maxrss;
};

static struct {
	int rt;
	int devnull, outfd, errfd;
} run;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		die("calloc");
	return p;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Median, nearest-rank 90th percentile, minimum and mean of v. */
static void stats(const double *v, int n, double *med, double *p90, double *min, double *mean)
{
	double *s = xcalloc((size_t)n, sizeof *s), sum = 0;
	memcpy(s, v, (size_t)n * sizeof *s);
	qsort(s, (size_t)n, sizeof *s, cmp_double);
	for (int i = 0; i < n; i++)
		sum += s[i];
	*med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	int r = (9 * n + 9) / 10;   /* ceil(0.9 n) */
	*p90 = s[r > 0 ? r - 1 : 0];
	*min = s[0];
	*mean = sum / n;
	free(s);
}

static void nice_down(void)
{
	if (setpriority(PRIO_PROCESS, 0, -20)) {
		perror("spawn: setpriority (continuing at normal priority)");
		return;
	}
	if (setsid() < 0)
		return;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		exit(1);
	int fd = open("/proc/self/autogroup", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "-20", 3) < 0)
			perror("spawn: /proc/self/autogroup");
		close(fd);
	}
}

static void go_realtime(void)
{
	struct sched_param sp = { .sched_priority = 1 };
	if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
		perror("spawn: SCHED_FIFO (continuing at normal priority)");
		run.rt = 0;
	}
}

/* In the child, between fork and execve. */
static void child_setup(const struct arm *a)
{
	if (run.rt) {
		struct sched_param sp = { .sched_priority = 1 };
		sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp);
	}
	if (a->drop && (setgroups(0, NULL) || setgid(a->gid) || setuid(a->uid) || setuid(0) == 0))
		_exit(126);
	dup2(run.devnull, 0);
	dup2(run.outfd, 1);
	dup2(run.errfd, 2);
}

/* One run of arm a; returns its wall time in ms, or -1 when it did not
 * exit 0. */
static double run_once(struct arm *a, double *cpu)
{
	struct rusage ru;
	int status;
	double t0 = now_ms();
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		child_setup(a);
		execve(a->argv[0], a->argv, a->envp);
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4");
	double t = now_ms() - t0;
	*cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	if (ru.ru_maxrss > a->maxrss)
		a->maxrss = ru.ru_maxrss;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "spawn: %s (%s) %s %d\n", a->label, a->argv[0],
		        WIFEXITED(status) ? "exited" : "killed by signal",
		        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -1;
	}
	return t;
}

static int usage(void)
{
	fputs("usage: spawn [-n RUNS] [-w WARMUP] [-p | -r] [-u USER] [-O OUTFILE] [-E ERRFILE]\n"
	      "             [-R RAWDIR] [@LABEL] [~USER] [NAME=VALUE ...] /path/prog [ARG ...] [:: ARM ...]\n",
	      stderr);
	return 1;
}

int main(int argc, char **argv)
{
	int runs = 300, warmup = 5, prio = 0, rt = 0, opt;
	const char *user = NULL, *outpath = "/dev/null", *errpath = "/dev/null", *rawdir = NULL;
	while ((opt = getopt(argc, argv, "+n:w:pru:O:E:R:")) != -1) {
		switch (opt) {
		case 'n': runs = atoi(optarg); break;
		case 'w': warmup = atoi(optarg); break;
		case 'p': prio = 1; break;
		case 'r': rt = 1; break;
		case 'u': user = optarg; break;
		case 'O': outpath = optarg; break;
		case 'E': errpath = optarg; break;
		case 'R': rawdir = optarg; break;
		default: return usage();
		}
	}
	if (optind >= argc || runs < 1 || warmup < 0)
		return usage();

	struct arm arms[MAXARMS];
	int narms = 0;
	for (int i = optind; i < argc;) {
		if (narms == MAXARMS)
			return usage();
		struct arm *a = &arms[narms];
		memset(a, 0, sizeof *a);
		int end = i;
		while (end < argc && strcmp(argv[end], "::"))
			end++;
		if (i < end && argv[i][0] == '@')
			a->label = argv[i++] + 1;
		if (i < end && argv[i][0] == '~')
			a->user = argv[i++] + 1;
		else
			a->user = user;
		a->envp = xcalloc((size_t)(end - i + 1), sizeof *a->envp);
		int ne = 0;
		while (i < end && argv[i][0] != '/' && strchr(argv[i], '='))
			a->envp[ne++] = argv[i++];
		if (i == end || argv[i][0] != '/') {
			fprintf(stderr, "spawn: arm %d: need an absolute program path\n", narms + 1);
			return usage();
		}
		a->argv = xcalloc((size_t)(end - i + 1), sizeof *a->argv);
		for (int k = 0; i < end; k++)
			a->argv[k] = argv[i++];
		if (!a->label) {
			char *l = xcalloc(16, 1);
			snprintf(l, 16, "arm%d", narms + 1);
			a->label = l;
		}
		a->ms = xcalloc((size_t)runs, sizeof *a->ms);
		a->cpu = xcalloc((size_t)runs, sizeof *a->cpu);
		narms++;
		i = end + 1;
	}

	run.devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	run.outfd = open(outpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	run.errfd = open(errpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (run.devnull < 0 || run.outfd < 0 || run.errfd < 0)
		die("spawn: open");
	for (int k = 0; k < narms; k++) {
		struct arm *a = &arms[k];
		if (!a->user || !*a->user || geteuid() != 0)
			continue;
		struct passwd *pw = getpwnam(a->user);
		if (!pw) {
			fprintf(stderr, "spawn: no user %s\n", a->user);
			return 1;
		}
		a->drop = 1;
		a->uid = pw->pw_uid;
		a->gid = pw->pw_gid;
	}
	if (prio)
		nice_down();
	if (rt) {
		run.rt = 1;
		go_realtime();
	}

	for (int r = -warmup; r < runs; r++) {
		for (int k = 0; k < narms; k++) {
			struct arm *a = &arms[((r < 0 ? -r : r) + k) % narms];
			double cpu = 0, t = run_once(a, &cpu);
			if (t < 0)
				return 2;
			if (r >= 0) {
				a->ms[r] = t;
				a->cpu[r] = cpu;
			}
		}
	}

	for (int k = 0; k < narms; k++) {
		struct arm *a = &arms[k];
		double med, p90, min, mean, cmed, c1, c2, c3;
		stats(a->ms, runs, &med, &p90, &min, &mean);
		stats(a->cpu, runs, &cmed, &c1, &c2, &c3);
		printf("arm %s runs %d median_ms %.4f p90_ms %.4f min_ms %.4f mean_ms %.4f "
		       "cpu_ms %.3f maxrss_kb %ld\n",
		       a->label, runs, med, p90, min, mean, cmed, a->maxrss);
		if (rawdir) {
			char path[4096];
			snprintf(path, sizeof path, "%s/%s.txt", rawdir, a->label);
			FILE *f = fopen(path, "w");
			if (f) {
				for (int r = 0; r < runs; r++)
					fprintf(f, "%.4f\n", a->ms[r]);
				fclose(f);
			}
		}
	}
	double *d = xcalloc((size_t)runs, sizeof *d);
	for (int k = 1; k < narms; k++) {
		double med, p90, min, mean;
		for (int r = 0; r < runs; r++)
			d[r] = arms[k].ms[r] - arms[0].ms[r];
		stats(d, runs, &med, &p90, &min, &mean);
		printf("diff %s-%s median_ms %.4f p90_ms %.4f\n", arms[k].label, arms[0].label, med, p90);
	}
	free(d);
	return 0;
}
