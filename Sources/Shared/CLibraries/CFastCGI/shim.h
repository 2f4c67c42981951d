#ifndef CFASTCGI_SHIM_H
#define CFASTCGI_SHIM_H
#include <fcgiapp.h>
#include <malloc.h>

// Hands freed heap back to the system after a large request (glibc keeps it otherwise, and a
// worker that once held a 30 MB upload would stay at that size). Not in Swift's Glibc module.
static inline int cfastcgi_release_free_memory(void) { return malloc_trim(0); }
#endif
