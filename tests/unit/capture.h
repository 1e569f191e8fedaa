/* Capture what a module prints on stderr between cap_start() and
 * cap_end(): its messages are part of its interface, so tests compare
 * them (and check that no secret is among them). cap_start() turns
 * msg_quiet off; cap_end() leaves it as the test set it. */
#ifndef ARGOWEB_CAPTURE_H
#define ARGOWEB_CAPTURE_H
#include <stdio.h>
#include <unistd.h>

static char cap_buf[16384];
static int cap_fd = -1, cap_saved = -1;

static void cap_start(void)
{
	fflush(stderr);
	FILE *f = tmpfile();
	cap_fd = dup(fileno(f));
	fclose(f);
	cap_saved = dup(2);
	dup2(cap_fd, 2);
	msg_quiet = 0;
}

static const char *cap_end(void)
{
	fflush(stderr);
	dup2(cap_saved, 2);
	close(cap_saved);
	lseek(cap_fd, 0, SEEK_SET);
	ssize_t n = read(cap_fd, cap_buf, sizeof cap_buf - 1);
	close(cap_fd);
	cap_buf[n > 0 ? n : 0] = 0;
	return cap_buf;
}
#endif
