/*
 * Multi-threaded test of the govai C API: 8 pthreads share one deployment and each handles a
 * stream of requests (two scenarios, public and sensitive texts) while also scanning and
 * masking. Afterwards every audit id 1..N must have been handed out exactly once, and the
 * audit log must verify as intact with exactly N records.
 *
 * Built by scripts/test-c.sh with
 *   gcc -std=c11 -Wall -Wextra -Wpedantic -Werror -I include threads.c -lgovai -pthread
 * (also under -fsanitize=address,undefined). Exit status 0 = all checks passed.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */

#include "govai.h"

#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tmpdir.h"

#define THREADS 8
#define PER_THREAD 20
#define TOTAL (THREADS * PER_THREAD)

#define S(literal) (literal), (sizeof(literal) - 1)

static const char CONFIG[] =
    "[deployment]\n"
    "name = \"C threads test\"\n"
    "[audit]\n"
    "path = \"audit.jsonl\"\n"
    "fsync = \"never\"\n"
    "[[models]]\n"
    "id = \"faq-bm25\"\n"
    "backend = \"faq\"\n"
    "clearance = \"sensitive\"\n"
    "location = \"on_premises\"\n"
    "[[models]]\n"
    "id = \"router-knn\"\n"
    "backend = \"router\"\n"
    "clearance = \"sensitive\"\n"
    "location = \"on_premises\"\n"
    "[[scenarios]]\n"
    "id = \"intelligent_qa\"\n"
    "model = \"faq-bm25\"\n"
    "[[scenarios]]\n"
    "id = \"intelligent_routing\"\n"
    "model = \"router-knn\"\n";

static const char *const REQUESTS[] = {
    "{\"scenario\":\"intelligent_qa\",\"text\":\"社保卡丢了怎么补办？\",\"user\":\"t\"}",
    "{\"scenario\":\"intelligent_routing\",\"text\":\"小区门口的路灯坏了一个多月了，晚上很黑。\",\"user\":\"t\"}",
    "{\"scenario\":\"intelligent_qa\",\"text\":\"我叫王建国，身份证号11010519491231002X，想问公积金怎么提取？\"}",
    "{\"scenario\":\"intelligent_routing\",\"text\":\"公司拖欠工资三个月，老板不见人，请帮忙处理。\"}",
};
#define N_REQUESTS (sizeof REQUESTS / sizeof REQUESTS[0])

struct job {
    const govai_deployment_t *deployment;
    int index;
    long ok;                    /* requests handled successfully */
    long errors;                /* any failure */
    long ids[PER_THREAD];       /* audit ids of this thread's responses */
};

/* The number after "audit_id": in a response, or -1. */
static long audit_id(const char *response) {
    const char *p = strstr(response, "\"audit_id\":");
    return p == NULL ? -1 : strtol(p + strlen("\"audit_id\":"), NULL, 10);
}

static void *worker(void *arg) {
    struct job *job = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        const char *request = REQUESTS[(size_t)(job->index + i) % N_REQUESTS];
        char *response = NULL;
        govai_error_t *err = govai_deployment_handle_json(job->deployment, request, strlen(request), &response);
        if (err != NULL) {
            fprintf(stderr, "thread %d: request failed: %s\n", job->index, govai_error_message(err));
            govai_error_free(err);
            job->errors++;
            continue;
        }
        job->ids[job->ok++] = audit_id(response);
        if (strstr(response, "\"outcome\":\"") == NULL) {
            job->errors++;
        }
        govai_string_free(response);

        /* Handle-free calls interleaved with the requests. */
        govai_scan_result_t *res = NULL;
        err = govai_scan(S("手机13800138000"), &res);
        if (err != NULL || govai_scan_result_count(res) != 1 ||
            govai_scan_result_level(res) == GOVAI_DATA_LEVEL_PUBLIC) {
            job->errors++;
        }
        govai_error_free(err);
        govai_scan_result_free(res);
        char *masked = NULL;
        err = govai_mask(S("手机13800138000"), S("mask"), &masked);
        if (err != NULL || strcmp(masked, "手机138****8000") != 0) {
            job->errors++;
        }
        govai_error_free(err);
        govai_string_free(masked);
    }
    return NULL;
}

static int compare_long(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

int main(void) {
    int failures = 0;
    char dir[4096];
    if (make_temp_dir(dir, sizeof dir, "threads") != 0) {
        return 2;
    }

    govai_deployment_t *d = NULL;
    govai_error_t *err = govai_deployment_new_from_toml(S(CONFIG), dir, strlen(dir), &d);
    if (err != NULL) {
        fprintf(stderr, "deployment: %s\n", govai_error_message(err));
        govai_error_free(err);
        return 1;
    }

    static struct job jobs[THREADS];
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i].deployment = d;
        jobs[i].index = i;
        if (pthread_create(&threads[i], NULL, worker, &jobs[i]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 2;
        }
    }
    long ok = 0, errors = 0;
    static long ids[TOTAL];
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        for (long k = 0; k < jobs[i].ok; k++) {
            ids[ok + k] = jobs[i].ids[k];
        }
        ok += jobs[i].ok;
        errors += jobs[i].errors;
    }
    govai_deployment_free(d);

    if (ok != TOTAL || errors != 0) {
        fprintf(stderr, "FAIL: %ld of %d requests succeeded, %ld errors\n", ok, TOTAL, errors);
        failures++;
    }
    /* Every audit id 1..TOTAL exactly once: the shared audit writer serialised the records. */
    qsort(ids, (size_t)ok, sizeof ids[0], compare_long);
    for (long k = 0; k < ok; k++) {
        if (ids[k] != k + 1) {
            fprintf(stderr, "FAIL: audit ids not 1..%d (position %ld has %ld)\n", TOTAL, k, ids[k]);
            failures++;
            break;
        }
    }

    char log[4200];
    snprintf(log, sizeof log, "%s/audit.jsonl", dir);
    char *report = NULL;
    bool intact = false;
    err = govai_audit_verify_json(log, strlen(log), &report, &intact);
    if (err != NULL) {
        fprintf(stderr, "FAIL: verify: %s\n", govai_error_message(err));
        govai_error_free(err);
        failures++;
    } else {
        char records[64];
        snprintf(records, sizeof records, "\"records\":%d,", TOTAL);
        if (!intact || strstr(report, records) == NULL || strstr(report, "\"anchor\":\"match\"") == NULL) {
            fprintf(stderr, "FAIL: audit log after the threads: %s\n", report);
            failures++;
        }
        govai_string_free(report);
    }

    remove_tree(dir);
    printf("%s: %d threads x %d requests on one deployment, audit log intact: %s\n", failures ? "FAIL" : "ok",
           THREADS, PER_THREAD, failures ? "no" : "yes");
    return failures ? 1 : 0;
}
