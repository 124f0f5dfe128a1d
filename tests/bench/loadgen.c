/*
 * loadgen.c: a small HTTP load generator for tests/bench/run.
 *
 * It runs a list of operations once per id of an id file, with C
 * concurrent clients (threads, each with one keep-alive libcurl handle),
 * and reports per operation the count, errors, 503 retries, the rate over
 * the whole run and the median and 99th percentile latency.  Unlike wrk
 * it issues an exact number of requests, each on its own job, which is
 * what a job lifecycle needs.
 *
 * usage: loadgen [-c clients] BASE-URL IDS-FILE METHOD PATH BODY [METHOD PATH BODY ...]
 * "{}" in PATH and BODY is replaced by the id; an empty BODY sends none
 * (but still a Content-Length).  A 503 is retried after a short pause, as
 * a job runner would; any other non-2xx answer counts as an error.
 * Output, one line per operation:
 *   op=1 method=PUT count=N errors=E retries=R secs=S rate=X p50_ms=A p99_ms=B
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#define MAX_OPS 4

struct op {
	const char	*method, *path, *body;
	double		*lat;		/* seconds, one per id */
	atomic_long	 errors, retries;
};

static const char *base;
static long *ids, nids;
static struct op ops[MAX_OPS];
static int nops;
static atomic_long next_id;

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t
sink(char *p, size_t sz, size_t n, void *u)
{
	(void)p; (void)u;
	return sz * n;
}

/* Replace each "{}" in t by id; caller frees. */
static char *
fill(const char *t, long id)
{
	char num[32];
	size_t nl = (size_t)snprintf(num, sizeof(num), "%ld", id), cap = strlen(t) + 1, len = 0;
	for (const char *p = t; (p = strstr(p, "{}")) != NULL; p += 2)
		cap += nl;
	char *out = malloc(cap);
	if (out == NULL)
		abort();
	for (const char *p = t; *p; ) {
		if (p[0] == '{' && p[1] == '}') {
			memcpy(out + len, num, nl);
			len += nl;
			p += 2;
		} else
			out[len++] = *p++;
	}
	out[len] = '\0';
	return out;
}

static void *
client(void *arg)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	(void)arg;
	if (c == NULL)
		abort();
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	for (;;) {
		long i = atomic_fetch_add(&next_id, 1);
		if (i >= nids)
			break;
		for (int o = 0; o < nops; o++) {
			struct op *op = &ops[o];
			char *url0 = fill(op->path, ids[i]), *body = fill(op->body, ids[i]);
			size_t ul = strlen(base) + strlen(url0) + 1;
			char *url = malloc(ul);
			if (url == NULL)
				abort();
			snprintf(url, ul, "%s%s", base, url0);
			double t0 = now();
			for (;;) {
				long code = 0;
				curl_easy_setopt(c, CURLOPT_URL, url);
				curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, op->method);
				if (strcmp(op->method, "GET") == 0)
					curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
				else {
					curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
					curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
				}
				CURLcode r = curl_easy_perform(c);
				if (r == CURLE_OK)
					curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
				if (r != CURLE_OK || code == 503) {
					atomic_fetch_add(&op->retries, 1);
					usleep(5000);
					continue;
				}
				if (code < 200 || code > 299) {
					if (atomic_fetch_add(&op->errors, 1) < 3)
						fprintf(stderr, "loadgen: %s %s: HTTP %ld\n", op->method, url, code);
				}
				break;
			}
			op->lat[i] = now() - t0;
			free(url0);
			free(url);
			free(body);
		}
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	int clients = 1, ch;
	long cap = 1024;
	FILE *f;

	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch == 'c')
			clients = (int)strtol(optarg, NULL, 10);
		else
			goto usage;
	}
	argc -= optind;
	argv += optind;
	if (argc < 5 || (argc - 2) % 3 != 0 || (argc - 2) / 3 > MAX_OPS || clients < 1)
		goto usage;
	base = argv[0];
	if ((f = fopen(argv[1], "r")) == NULL) {
		perror(argv[1]);
		return 1;
	}
	ids = malloc(sizeof(long) * (size_t)cap);
	while (ids != NULL && fscanf(f, "%ld", &ids[nids]) == 1)
		if (++nids == cap)
			ids = realloc(ids, sizeof(long) * (size_t)(cap *= 2));
	fclose(f);
	for (int a = 2; a < argc; a += 3, nops++) {
		ops[nops].method = argv[a];
		ops[nops].path = argv[a + 1];
		ops[nops].body = argv[a + 2];
		ops[nops].lat = calloc((size_t)nids + 1, sizeof(double));
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	pthread_t *th = calloc((size_t)clients, sizeof(*th));
	double t0 = now();
	for (int i = 0; i < clients; i++)
		pthread_create(&th[i], NULL, client, NULL);
	for (int i = 0; i < clients; i++)
		pthread_join(th[i], NULL);
	double secs = now() - t0;
	for (int o = 0; o < nops; o++) {
		struct op *op = &ops[o];
		qsort(op->lat, (size_t)nids, sizeof(double), cmp_d);
		double p50 = nids ? op->lat[nids / 2] : 0;
		double p99 = nids ? op->lat[(long)((double)(nids - 1) * 0.99)] : 0;
		printf("op=%d method=%s count=%ld errors=%ld retries=%ld secs=%.3f rate=%.1f "
		    "p50_ms=%.2f p99_ms=%.2f\n", o + 1, op->method, nids, (long)op->errors,
		    (long)op->retries, secs, secs > 0 ? nids / secs : 0, p50 * 1000, p99 * 1000);
	}
	return 0;
usage:
	fprintf(stderr, "usage: loadgen [-c clients] BASE-URL IDS-FILE METHOD PATH BODY ...\n");
	return 100;
}
