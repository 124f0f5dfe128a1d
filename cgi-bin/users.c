/*
 * users: GET /users/:user_name/groups, the groups a user belongs to.
 * A route table and nothing else; the handler lives in lib/api_groups.c.
 */
#include "api_groups.h"
#include "cgi.h"

static const struct route routes[] = {
	{ "GET", "/users/:user_name/groups", groups_of_user, 0, "offset,limit" },
	{ NULL, NULL, NULL, 0, NULL }
};

int
main(int argc, char **argv)
{
	return cgi_main(argc, argv, routes);
}
