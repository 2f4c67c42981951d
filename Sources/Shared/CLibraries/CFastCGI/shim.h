#ifndef CFASTCGI_SHIM_H
#define CFASTCGI_SHIM_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcgiapp.h>
#include <malloc.h>
#include <sys/socket.h>

// Hands freed heap back to the system after a large request (glibc keeps it otherwise, and a
// worker that once held a 30 MB upload would stay at that size). Not in Swift's Glibc module.
static inline int cfastcgi_release_free_memory(void) { return malloc_trim(0); }

// A connection from the listening socket, close-on-exec, blocking (accept4 is a GNU extension
// the Glibc module does not show).
static inline int cfastcgi_accept(int listen_fd) { return accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC); }
#endif
