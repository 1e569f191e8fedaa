/* Two small things several modules need from the system. */
#ifndef ARGOWEB_OSUTIL_H
#define ARGOWEB_OSUTIL_H

/* CLOCK_MONOTONIC in milliseconds: deadlines and intervals, never the
 * wall clock, which may jump. */
long long os_now_ms(void);

/* Close every descriptor above 2 but keep (-1: none). */
void os_close_fds(int keep);

#endif
