/*
 * bulk_jobs: POST /bulk_jobs, many jobs of one workflow in one
 * transaction.  The handler lives in lib/api_jobs.c.
 */
#include "api_jobs.h"
#include "cgi.h"

static const struct route routes[] = {
	{ "POST", "/bulk_jobs", bulk_jobs_create, ROUTE_JSON, "" },
	{ NULL, NULL, NULL, 0, NULL }
};

int
main(int argc, char **argv)
{
	return cgi_main(argc, argv, routes);
}
