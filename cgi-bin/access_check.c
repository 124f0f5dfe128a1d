/*
 * access_check: GET /access_check/:workflow_id/:user_name, may that user
 * access that workflow.  A route table and nothing else; the handler
 * lives in lib/api_groups.c.
 */
#include "api_groups.h"
#include "cgi.h"

static const struct route routes[] = {
	{ "GET", "/access_check/:workflow_id/:user_name", groups_access_check, 0, "" },
	{ NULL, NULL, NULL, 0, NULL }
};

int
main(int argc, char **argv)
{
	return cgi_main(argc, argv, routes);
}
