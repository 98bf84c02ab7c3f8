/* sort.h - an in-place heapsort: a few hundred bytes where musl's qsort
 * (smoothsort) costs a static binary over 1.5 KiB, and O(n log n) always. */
#ifndef TUG_SORT_H
#define TUG_SORT_H

#include <stddef.h>

/* Sort n elements of size bytes at base in cmp's order (not stable). */
void sort_heap(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

#endif
