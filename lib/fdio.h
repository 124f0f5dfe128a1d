/*
 * fdio.h: whole writes to a file descriptor.
 */
#ifndef TORC_FDIO_H
#define TORC_FDIO_H

#include <stddef.h>

/*
 * write(2) until all n bytes are written, retrying on EINTR.  Returns 0,
 * or -1 with errno set (a peer that left: EPIPE).  Async-signal-safe.
 */
int	fd_write_all(int fd, const void *buf, size_t n);

#endif
