/*
 * bench-read.c - times reading files through the mount from one process,
 * the way shared/bench times DuckDB: no process start inside the measured
 * interval. For each FILE: one warm-up read, then RUNS timed runs of
 * open + read to EOF + close; prints "NAME<TAB>median_s<TAB>t1,t2,...".
 *   bench-read RUNS FILE...     (NAME: the file name without its extension)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 20];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read the whole file; -1 on error. */
static int slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	return n < 0 ? -1 : 0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 0;

	if (argc < 3 || runs < 1 || runs > 99) {
		fprintf(stderr, "usage: bench-read RUNS FILE...\n");
		return 2;
	}
	for (int f = 2; f < argc; f++) {
		double t[99], s[99];
		char name[256], *p;
		const char *base = strrchr(argv[f], '/') ? strrchr(argv[f], '/') + 1 : argv[f];

		snprintf(name, sizeof(name), "%s", base);
		if ((p = strrchr(name, '.')))
			*p = 0;
		if (slurp(argv[f])) {
			perror(argv[f]);
			return 1;
		}
		for (int r = 0; r < runs; r++) {
			double t0 = now();

			if (slurp(argv[f])) {
				perror(argv[f]);
				return 1;
			}
			t[r] = s[r] = now() - t0;
		}
		qsort(s, (size_t)runs, sizeof(double), cmp);
		printf("%s\t%.4f\t", name, s[runs / 2]);
		for (int r = 0; r < runs; r++)
			printf("%s%.4f", r ? "," : "", t[r]);
		printf("\n");
	}
	return 0;
}
