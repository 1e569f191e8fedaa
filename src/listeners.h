/* Who listens where: the kernel's table of listening TCP sockets, read
 * for the exposure audit and to tell whose socket holds the metrics
 * address before /ready's answer is believed. */
#ifndef ARGOWEB_LISTENERS_H
#define ARGOWEB_LISTENERS_H
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>

/* One listening socket: local address (network byte order; IPv4 in the
 * first 4 bytes), port, and the uid that owns it, as this process's user
 * namespace sees it: under systemd's PrivateUsers= every uid but root's
 * and the service user's reads 65534, so a service user that is nobody
 * could not tell another user's socket from its own. */
struct lis_socket {
	int v6;
	unsigned char addr[16];
	unsigned port;
	uid_t uid;
	unsigned long inode;
};

/* /proc/self/net/tcp (v6 0) or tcp6 (v6 1): this process's network
 * namespace, the one its connections go through. NULL with errno. */
FILE *lis_open(int v6);

/* The next socket in state LISTEN from a table in that format read from
 * f: 1, or 0 at the end. Any other line is skipped. */
int lis_next(FILE *f, int v6, struct lis_socket *l);

/* Could l accept a TCP connection to sa (AF_INET or AF_INET6)? */
int lis_accepts(const struct lis_socket *l, const struct sockaddr *sa);

/* Whose listening sockets could take a connection to sa: */
enum lis_verdict {
	LIS_NONE,       /* nobody's */
	LIS_OWNED,      /* uid's, and only uid's */
	LIS_FOREIGN,    /* at least one another uid's: *other */
};

/* The verdict from the tables tcp and tcp6 (either may be NULL: none of
 * that family). */
enum lis_verdict lis_whose_in(FILE *tcp, FILE *tcp6, const struct sockaddr *sa, uid_t uid,
                              uid_t *other);

/* The same from this process's own tables: the verdict, or -errno with
 * f filled when they cannot be read. */
struct fault;
int lis_whose(const struct sockaddr *sa, uid_t uid, uid_t *other, struct fault *f);

/* Whose socket is at the far end of the local TCP connection fd (our
 * socket: the one the kernel accepted for us, even before accept()),
 * from the tables tcp and tcp6 (either may be NULL), us and them the
 * connection's two ends: 0 with *uid, or -ENOENT. The socket's owner is
 * its listener's, who answers on it. */
int lis_peer_uid_in(FILE *tcp, FILE *tcp6, const struct sockaddr *us, const struct sockaddr *them,
                    uid_t *uid);
/* The same for fd, from this process's own tables: 0, or -errno. */
int lis_peer_uid(int fd, uid_t *uid);

/* The listening sockets process pid holds (its fds' socket inodes found
 * in this namespace's tables): how many, at most max into out. */
size_t lis_of_pid(pid_t pid, struct lis_socket *out, size_t max);

#endif
