/*
 * A scratch directory for the C test programs (smoke.c, threads.c, stream.c): created under
 * $TMPDIR (default /tmp), removed with everything in it at the end. Needs _XOPEN_SOURCE 700
 * (mkdtemp, nftw) defined before the first system header.
 */
#ifndef GOVAI_TEST_TMPDIR_H
#define GOVAI_TEST_TMPDIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Create `dir` (`size` bytes) as $TMPDIR/govai-c-NAME-XXXXXX. Returns 0, or -1 after perror. */
static int make_temp_dir(char *dir, size_t size, const char *name) {
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, size, "%s/govai-c-%s-XXXXXX", tmp != NULL && *tmp != '\0' ? tmp : "/tmp", name);
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return -1;
    }
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Remove `dir` and everything below it. */
static void remove_tree(const char *dir) {
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
