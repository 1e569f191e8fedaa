/* osutil (os_): the monotonic clock and closing inherited descriptors. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "osutil.h"

long long os_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Every descriptor, not only those below 1024: a parent may hand over any
 * number. close_range needs Linux 5.9; older kernels get the loop. */
/* keep[] holds at most a few descriptors, in any order. */
void os_close_fds_except(const int *keep, int n)
{
	int k[4], m = 0;
	for (int i = 0; i < n && m < 4; i++)
		if (keep[i] >= 3)
			k[m++] = keep[i];
	for (int i = 1; i < m; i++)     /* insertion sort: m <= 4 */
		for (int j = i; j > 0 && k[j - 1] > k[j]; j--) {
			int t = k[j];
			k[j] = k[j - 1];
			k[j - 1] = t;
		}
	unsigned lo = 3;
	int ok = 1;
	for (int i = 0; i < m && ok; lo = (unsigned)k[i++] + 1)
		ok = (unsigned)k[i] <= lo || close_range(lo, (unsigned)k[i] - 1, 0) == 0;
	if (ok && close_range(lo, ~0U, 0) == 0)
		return;
	long max = sysconf(_SC_OPEN_MAX);
	for (long fd = 3; fd < (max > 0 ? max : 1024); fd++) {
		int kept = 0;
		for (int i = 0; i < m; i++)
			kept |= fd == k[i];
		if (!kept)
			close((int)fd);
	}
}

void os_close_fds(int keep)
{
	os_close_fds_except(&keep, keep >= 0);
}

int os_stderr_is_journal(void)
{
	const char *j = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	/* systemd sets it to the stream's "device:inode"; stderr may since
	 * have been pointed elsewhere (2>file), so compare. */
	return j && sscanf(j, "%llu:%llu", &dev, &ino) == 2 && fstat(2, &st) == 0 &&
	       st.st_dev == dev && st.st_ino == ino;
}
