/* version: GET /version -> "0.10.0 (torc-cgi)". */
#include "api_misc.h"
#include "cgi.h"

static const struct route routes[] = {
	{ "GET", "/version", misc_version, 0, "" },
	{ NULL, NULL, NULL, 0, NULL }
};

int
main(int argc, char **argv)
{
	return cgi_main(argc, argv, routes);
}
