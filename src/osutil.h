/* Small things several modules need from the system. */
#ifndef ARGOWEB_OSUTIL_H
#define ARGOWEB_OSUTIL_H

/* CLOCK_MONOTONIC in milliseconds: deadlines and intervals, never the
 * wall clock, which may jump. */
long long os_now_ms(void);

/* Close every descriptor above 2 but keep (-1: none). */
void os_close_fds(int keep);
/* The same, keeping each of keep[0..n) (at most 4). */
void os_close_fds_except(const int *keep, int n);

/* Is stderr systemd's journal stream ($JOURNAL_STREAM), which reads a
 * "<N>" in front of a line as its priority? */
int os_stderr_is_journal(void);

#endif
