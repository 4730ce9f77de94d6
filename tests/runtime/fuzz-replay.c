/* SPDX-License-Identifier: MIT */
/*
 * Replays every file of the given directories (and files) through the
 * fuzz target without libFuzzer: the regression inputs kept under
 * tests/runtime/fuzz-corpus run in `make check-runtime` (built with
 * -fsanitize=address,undefined when the compiler has it).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay(const char *path)
{
	FILE *f = fopen(path, "rb");
	static uint8_t buf[1 << 20];
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	{
		uint8_t *exact = malloc(n ? n : 1);    /* exact size: reads past the end are caught */

		memcpy(exact, buf, n);
		LLVMFuzzerTestOneInput(exact, n);
		free(exact);
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned files = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *de;

		if (stat(argv[i], &st))
			continue;
		if (!S_ISDIR(st.st_mode)) {
			files += replay(argv[i]) == 0;
			continue;
		}
		if (!(d = opendir(argv[i])))
			continue;
		while ((de = readdir(d))) {
			char path[4096];

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s", argv[i], de->d_name);
			files += replay(path) == 0;
		}
		closedir(d);
	}
	printf("ok   - %u fuzzer inputs replayed without a crash\n1 passed, 0 failed\n", files);
	return files ? 0 : 1;
}
