/* osutil (os_): the monotonic clock and closing inherited descriptors. */
#define _GNU_SOURCE
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
void os_close_fds(int keep)
{
	if (keep < 3) {
		if (close_range(3, ~0U, 0) == 0)
			return;
	} else if ((keep == 3 || close_range(3, (unsigned)keep - 1, 0) == 0) &&
	           close_range((unsigned)keep + 1, ~0U, 0) == 0) {
		return;
	}
	long max = sysconf(_SC_OPEN_MAX);
	for (long fd = 3; fd < (max > 0 ? max : 1024); fd++)
		if (fd != keep)
			close((int)fd);
}
