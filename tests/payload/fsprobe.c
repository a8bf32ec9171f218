/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fsprobe.c - extended attributes from inside a container (busybox has no
 * setfattr): "fsprobe setx PATH NAME VALUE", "fsprobe getx PATH NAME".
 * Prints the value, or the error; exits 1 on failure.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>

int main(int argc, char **argv)
{
	char buf[256];
	ssize_t n;

	if (argc == 5 && !strcmp(argv[1], "setx")) {
		if (setxattr(argv[2], argv[3], argv[4], strlen(argv[4]), 0) == 0)
			return 0;
	} else if (argc == 4 && !strcmp(argv[1], "getx")) {
		n = getxattr(argv[2], argv[3], buf, sizeof(buf) - 1);
		if (n >= 0) {
			buf[n] = '\0';
			printf("%s\n", buf);
			return 0;
		}
	} else {
		fprintf(stderr, "usage: fsprobe setx PATH NAME VALUE | getx PATH NAME\n");
		return 2;
	}
	printf("error %s\n", strerror(errno));
	return 1;
}
