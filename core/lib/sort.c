/* sort.c - heapsort over elements of any size, swapped byte by byte. */
#include "sort.h"

static void swap(unsigned char *a, unsigned char *b, size_t size)
{
	while (size--) {
		unsigned char t = *a;

		*a++ = *b;
		*b++ = t;
	}
}

/* Move the element at root down until the heap below it holds again. */
static void sift(unsigned char *base, size_t root, size_t n, size_t size,
		 int (*cmp)(const void *, const void *))
{
	for (;;) {
		size_t child = 2 * root + 1, big = root;

		if (child < n && cmp(base + child * size, base + big * size) > 0)
			big = child;
		if (child + 1 < n && cmp(base + (child + 1) * size, base + big * size) > 0)
			big = child + 1;
		if (big == root)
			return;
		swap(base + root * size, base + big * size, size);
		root = big;
	}
}

void sort_heap(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	unsigned char *b = base;

	if (n < 2)
		return;
	for (size_t i = n / 2; i-- > 0;)
		sift(b, i, n, size, cmp);
	for (size_t end = n - 1; end > 0; end--) {
		swap(b, b + end * size, size);
		sift(b, 0, end, size, cmp);
	}
}
