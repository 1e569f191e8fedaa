/* Listen on ADDR:PORT (TCP) for SECONDS, accepting nothing: a stand-in
 * origin for the exposure audit's tests. ADDR may be IPv4 or IPv6. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: listener ADDR PORT SECONDS\n");
		return 64;
	}
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons((unsigned short)atoi(argv[2])) };
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = s6.sin6_port };
	int v6 = inet_pton(AF_INET6, argv[1], &s6.sin6_addr) == 1;
	if (!v6 && inet_pton(AF_INET, argv[1], &s4.sin_addr) != 1) {
		fprintf(stderr, "listener: bad address %s\n", argv[1]);
		return 64;
	}
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, v6 ? (struct sockaddr *)&s6 : (struct sockaddr *)&s4,
	         v6 ? sizeof s6 : sizeof s4) || listen(fd, 4)) {
		perror("listener");
		return 71;
	}
	sleep((unsigned)atoi(argv[3]));
	return 0;
}
