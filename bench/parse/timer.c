/* timer.c - run.sh's timer: timer OUT CMD ARG...
 *
 * Runs CMD and writes "wall user sys maxrss_kb" to OUT, like GNU time
 * -f '%e %U %S %M' but in microseconds (GNU time prints 10 ms steps, too
 * coarse for the one-process pcmon runs of ~50 ms).  user and sys are the
 * rusage of CMD and of every descendant it waited for; maxrss_kb is the
 * peak RSS of the largest single process among them.  A small C program,
 * so that the fork before exec adds nothing measurable to CMD's figures
 * (a fork from python would carry python's RSS and page-table copies).
 * Exit status: CMD's.  run.sh compiles it with cc.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double tv(struct timeval t) { return t.tv_sec + t.tv_usec / 1e6; }

int main(int argc, char **argv)
{
	struct timespec a, b;
	struct rusage ru;
	int st;
	pid_t pid;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: timer OUT CMD [ARG...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid < 0) { perror("timer: fork"); return 2; }
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror("timer: exec");
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0) { perror("timer: wait4"); return 2; }
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (!(f = fopen(argv[1], "w"))) { perror(argv[1]); return 2; }
	fprintf(f, "%.4f %.4f %.4f %ld\n",
	        (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9,
	        tv(ru.ru_utime), tv(ru.ru_stime), ru.ru_maxrss);
	if (fclose(f) != 0) { perror(argv[1]); return 2; }
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
