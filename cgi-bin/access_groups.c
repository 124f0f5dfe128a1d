/*
 * access_groups: the /access_groups family (groups and their members).
 * A route table and nothing else; the handlers live in lib/api_groups.c.
 */
#include "api_groups.h"
#include "cgi.h"

#define PAGEQ "offset,limit"

static const struct route routes[] = {
	{ "POST", "/access_groups", groups_create, ROUTE_JSON, "" },
	{ "GET", "/access_groups", groups_list, 0, PAGEQ },
	{ "GET", "/access_groups/:id", groups_get, 0, "" },
	{ "DELETE", "/access_groups/:id", groups_delete, ROUTE_JSON_OPT, "" },
	{ "POST", "/access_groups/:id/members", groups_member_add, ROUTE_JSON, "" },
	{ "GET", "/access_groups/:id/members", groups_members_list, 0, PAGEQ },
	{ "DELETE", "/access_groups/:id/members/:user_name", groups_member_remove,
	    ROUTE_JSON_OPT, "" },
	{ NULL, NULL, NULL, 0, NULL }
};

int
main(int argc, char **argv)
{
	return cgi_main(argc, argv, routes);
}
