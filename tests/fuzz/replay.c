/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replay.c - a main() for the fuzz entry points without libFuzzer
 *
 * "fuzz-NAME FILE|DIR...": every file given, and every file of every
 * directory given (sorted, dot files left out), goes once through
 * LLVMFuzzerTestOneInput(). TAP: one "ok" per file, so the test count names
 * each input; a crash (the sanitizers abort) ends the run, which meson
 * reports as an error.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fuzz.h"

static void add(struct strv *files, const char *arg)
{
	struct dirent **names;
	struct stat sb;
	int n;

	if (stat(arg, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		strv_push(files, xstrdup(arg));
		return;
	}
	n = scandir(arg, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.')
			strv_push(files, xasprintf("%s/%s", arg, names[i]->d_name));
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

int main(int argc, char **argv)
{
	struct strv files = {0};
	int failed = 0;

	for (int i = 1; i < argc; i++)
		add(&files, argv[i]);
	if (files.n == 0) {
		printf("1..0 # SKIP no corpus files given\n");
		return 0;
	}
	printf("1..%zu\n", files.n);
	for (size_t i = 0; i < files.n; i++) {
		char *data = xmalloc(1 << 20);
		FILE *f = fopen(files.v[i], "re");
		size_t len = f ? fread(data, 1, 1 << 20, f) : 0;

		if (!f) {
			printf("not ok %zu - %s: %s\n", i + 1, files.v[i], strerror(errno));
			failed++;
			free(data);
			continue;
		}
		fclose(f);
		/* An exact-size copy, so the sanitizers see a read past the input's end. */
		data = xrealloc(data, len ? len : 1);
		fflush(stdout);
		(void)LLVMFuzzerTestOneInput((const uint8_t *)data, len);
		printf("ok %zu - %s\n", i + 1,
		       strrchr(files.v[i], '/') ? strrchr(files.v[i], '/') + 1 : files.v[i]);
		free(data);
	}
	strv_free(&files);
	return failed ? 1 : 0;
}
