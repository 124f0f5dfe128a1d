/* ping: GET /ping -> {"status":"ok"}. */
#include "api_misc.h"
#include "cgi.h"

static const struct route routes[] = {
	{ "GET", "/ping", misc_ping, 0, "" },
	{ NULL, NULL, NULL, 0, NULL }
};

int
main(int argc, char **argv)
{
	return cgi_main(argc, argv, routes);
}
