/*
 * notfound: the web server's 404 handler, so an unknown resource gets the
 * same JSON error as an unknown route inside a known one.
 */
#include "api_misc.h"
#include "cgi.h"

static const struct route routes[] = {
	{ "GET", "*", misc_not_found, 0, NULL },
	{ "POST", "*", misc_not_found, 0, NULL },
	{ "PUT", "*", misc_not_found, 0, NULL },
	{ "DELETE", "*", misc_not_found, 0, NULL },
	{ "PATCH", "*", misc_not_found, 0, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};

int
main(int argc, char **argv)
{
	return cgi_main(argc, argv, routes);
}
