/* test_sort.c - sort.c against every small permutation and random arrays. */
#include <stdlib.h>
#include <string.h>

#include "sort.h"
#include "tap.h"

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

struct rec {
	unsigned key;
	char pad[13]; /* an odd size: elements are not words */
};

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

static int sorted(const int *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i - 1] > v[i])
			return 0;
	return 1;
}

int main(void)
{
	int bad = 0;
	struct rec r[1000];
	int v[2000];
	long sum = 0, sum2 = 0;

	/* every array of 0..7 elements over the values 0..3 */
	for (size_t n = 0; n <= 7; n++)
		for (unsigned code = 0; code < (1u << (2 * n)); code++) {
			int a[7];

			for (size_t i = 0; i < n; i++)
				a[i] = (int)((code >> (2 * i)) & 3);
			sort_heap(a, n, sizeof(int), cmp_int);
			bad += !sorted(a, n);
		}
	ok(!bad, "all arrays of up to 7 elements over 4 values");

	srand(7);
	for (size_t i = 0; i < 2000; i++) {
		v[i] = rand() % 500 - 250;
		sum += v[i];
	}
	sort_heap(v, 2000, sizeof(int), cmp_int);
	for (size_t i = 0; i < 2000; i++)
		sum2 += v[i];
	ok(sorted(v, 2000) && sum == sum2, "2000 random ints with repeats: sorted, same values");

	for (unsigned i = 0; i < 1000; i++) {
		r[i].key = (i * 7919u) % 1000u;
		memset(r[i].pad, (int)(r[i].key & 0x7f), sizeof(r[i].pad));
	}
	sort_heap(r, 1000, sizeof(r[0]), cmp_rec);
	bad = 0;
	for (unsigned i = 0; i < 1000; i++)
		bad += r[i].key != i || r[i].pad[12] != (char)(i & 0x7f);
	ok(!bad, "17-byte records move whole");
	return done_testing();
}
