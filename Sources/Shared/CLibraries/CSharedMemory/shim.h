#ifndef CSHAREDMEMORY_SHIM_H
#define CSHAREDMEMORY_SHIM_H
#include <stdint.h>
#include <sys/mman.h>

// Atomic counters in memory shared between processes (a memory-mapped metrics file): Swift's
// Atomic cannot live at an address of our choosing, C's builtins can.
static inline void csm_add(uint64_t *p, uint64_t v) { __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
static inline uint64_t csm_load(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void csm_store(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
#endif
