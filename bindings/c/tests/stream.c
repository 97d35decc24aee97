/*
 * Streaming generation through the C API on a real (tiny, random-weight) ONNX language model:
 * pieces arrive one by one through the callback (hold-back release: the scenario runs only the
 * term reviewer), cancelling from the callback stops generation
 * early, and the audit log records both requests.
 *
 * Usage: stream REPO_ROOT  (the fixture is REPO_ROOT/crates/govai-ort/tests/data/tiny-llama;
 * ONNX Runtime is found through ORT_DYLIB_PATH or the project's .venv, so run it from the
 * repository). Built by scripts/test-c.sh with -std=c11 -Wall -Wextra -Wpedantic -Werror.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */

#include "govai.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tmpdir.h"

struct received {
    size_t bytes;
    int calls;
    int cancel_after; /* 0: never */
};

static int on_text(const char *text, size_t text_len, void *user_data) {
    struct received *r = user_data;
    r->calls++;
    r->bytes += text_len;
    if (text[text_len] != '\0') {
        return 1;
    }
    return r->cancel_after > 0 && r->calls >= r->cancel_after;
}

/* The value of the first integer field `"name":N` in `json`, or -1. */
static long int_field(const char *json, const char *name) {
    char key[64];
    snprintf(key, sizeof key, "\"%s\":", name);
    const char *p = strstr(json, key);
    return p == NULL ? -1 : strtol(p + strlen(key), NULL, 10);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s REPO_ROOT\n", argv[0]);
        return 2;
    }
    char dir[4096];
    if (make_temp_dir(dir, sizeof dir, "stream") != 0) {
        return 2;
    }
    char config[16384];
    int n = snprintf(config, sizeof config,
                     "[deployment]\n"
                     "name = \"C streaming test\"\n"
                     "[audit]\n"
                     "path = \"%s/audit.jsonl\"\n"
                     "fsync = \"never\"\n"
                     "[[models]]\n"
                     "id = \"tiny-llama\"\n"
                     "backend = \"llm\"\n"
                     "clearance = \"sensitive\"\n"
                     "location = \"on_premises\"\n"
                     "filing = { number = \"Test-110000-2025\", provider = \"test\" }\n"
                     "path = \"%s/crates/govai-ort/tests/data/tiny-llama\"\n"
                     "generation = { max_new_tokens = 40, ignore_eos = true }\n"
                     "[[scenarios]]\n"
                     "id = \"document_drafting\"\n"
                     "model = \"tiny-llama\"\n"
                     /* Only term matching: random-weight text has no sentence ends, and with a
                      * sentence-level reviewer it would be released in one piece at the end. */
                     "reviewers = [\"lexicon\"]\n",
                     dir, argv[1]);
    if (n < 0 || (size_t)n >= sizeof config) {
        fprintf(stderr, "config too long\n");
        return 2;
    }
    govai_deployment_t *d = NULL;
    if (!EXPECT_OK(govai_deployment_new_from_toml(config, (size_t)n, NULL, 0, &d))) {
        return 1;
    }
    static const char REQUEST[] = "{\"scenario\":\"document_drafting\",\"text\":\"请起草一份会议通知\"}";

    /* The whole generation, piece by piece. */
    struct received full = {0, 0, 0};
    char *response = NULL;
    long full_chars = -1;
    if (EXPECT_OK(govai_deployment_handle_stream(d, REQUEST, sizeof REQUEST - 1, on_text, &full, &response))) {
        CHECK(full.calls > 1);
        CHECK(strstr(response, "\"cancelled\":false") != NULL);
        full_chars = int_field(response, "released_chars");
        CHECK(full_chars > 0);
        printf("full stream: %d pieces, %zu bytes, %ld characters\n", full.calls, full.bytes, full_chars);
        govai_string_free(response);
    }

    /* Cancel from the callback after the second piece: generation stops early. */
    struct received part = {0, 0, 2};
    if (EXPECT_OK(govai_deployment_handle_stream(d, REQUEST, sizeof REQUEST - 1, on_text, &part, &response))) {
        CHECK(strstr(response, "\"outcome\":\"cancelled\"") != NULL);
        CHECK(strstr(response, "\"cancelled\":true") != NULL);
        CHECK(part.calls == 2);
        long part_chars = int_field(response, "released_chars");
        CHECK(part_chars > 0 && part_chars < full_chars);
        printf("cancelled stream: %d pieces, %ld characters\n", part.calls, part_chars);
        govai_string_free(response);
    }
    govai_deployment_free(d);

    char log[4200];
    snprintf(log, sizeof log, "%s/audit.jsonl", dir);
    char *report = NULL;
    bool intact = false;
    if (EXPECT_OK(govai_audit_verify_json(log, strlen(log), &report, &intact))) {
        CHECK(intact);
        CHECK(int_field(report, "records") == 2);
        govai_string_free(report);
    }
    remove_tree(dir);
    printf("stream.c: %d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
