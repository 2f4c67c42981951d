#ifndef CFASTCGI_SHIM_H
#define CFASTCGI_SHIM_H
#include <fcgiapp.h>
#include <malloc.h>
#include <sys/socket.h>

// Hands freed heap back to the system after a large request (glibc keeps it otherwise, and a
// worker that once held a 30 MB upload would stay at that size). Not in Swift's Glibc module.
static inline int cfastcgi_release_free_memory(void) { return malloc_trim(0); }

// A connection from the listening socket, close-on-exec, blocking. accept4 is a GNU extension
// that glibc declares only under _GNU_SOURCE, which would change the system headers' types for
// this module alone; its prototype is declared here instead.
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
static inline int cfastcgi_accept(int listen_fd) { return accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC); }
#endif
