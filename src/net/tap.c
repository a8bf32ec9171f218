/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tap.c - open the tap device inside the container's network namespace
 *
 * Called by the child while it still sees the host's /dev (before
 * pivot_root): the device is created in the current network namespace, and
 * its fd, passed to roost's network process, keeps working from outside.
 */
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "roost/err.h"
#include "roost/net.h"
#include "roost/util.h"

/*
 * open("/dev/net/tun") failed with errno e: set the message with the cause and
 * the fix (roost doctor prints the same). Returns -e.
 */
int tap_device_error(int e)
{
	struct stat st;

	if (e == ENOENT || e == ENODEV || e == ENXIO)
		return err_setx(e, "/dev/net/tun does not exist, and user-mode networking "
				   "needs it: sudo modprobe tun (or use --network=none or "
				   "--network=host)");
	if ((e == EACCES || e == EPERM) && stat("/dev/net/tun", &st) == 0)
		return err_setx(e,
				"/dev/net/tun is not accessible (mode %04o) and user-mode "
				"networking needs it: sudo chmod 0666 /dev/net/tun (as "
				"distributions ship it), or use --network=none or "
				"--network=host",
				(unsigned)(st.st_mode & 07777));
	return err_set(e, "open /dev/net/tun");
}

/* Returns 0 with a non-blocking fd for the tap device NAME; errors name the fix. */
int tap_open(const char *name, int *ret_fd)
{
	_cleanup_close_ int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	struct ifreq ifr;

	if (fd < 0)
		return tap_device_error(errno);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return err_set(errno, "create the tap device %s", name);
	/*
	 * Persistent, so the network process's last close() does not unregister
	 * the device itself (tens of milliseconds of RCU waits at every exit):
	 * the device goes when its network namespace does, which the kernel
	 * tears down in the background once our fd is closed.
	 */
	if (ioctl(fd, TUNSETPERSIST, 1) < 0)
		return err_set(errno, "make %s persistent", name);
	*ret_fd = TAKE_FD(fd);
	return 0;
}
