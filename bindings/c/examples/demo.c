/*
 * The Rust demo (`govai demo`) in C: the shipped batch of citizen messages through a
 * deployment with the built-in models, one line per message (audit id, scenario, data level,
 * outcome, masked message), then the audit log verified.
 *
 *   cc -std=c11 $(pkg-config --cflags govai) demo.c $(pkg-config --libs govai) -o demo
 *   ./demo crates/govai/data/demo_messages.jsonl [audit-dir]
 *
 * Each line of the messages file is already a request in the C API's JSON form, so it goes to
 * govai_deployment_handle_json() unchanged. The few response fields printed are picked out of
 * the JSON with strstr (a real program would use its JSON library). Exit status 0 when every
 * message was handled and the audit log is intact.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, getline */

#include "govai.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CONFIG[] = /* modelled on crates/govai/data/default.toml */
    "[deployment]\n"
    "name = \"示例市政务服务（C 演示）\"\n"
    "[audit]\n"
    "path = \"audit.jsonl\"\n"
    "fsync = \"always\"\n"
    "[labels]\n"
    "producer = \"示例市政务服务数据管理局\"\n"
    "[[models]]\n"
    "id = \"faq-bm25\"\n"
    "backend = \"faq\"\n"
    "version = \"1\"\n"
    "clearance = \"sensitive\"\n"
    "location = \"on_premises\"\n"
    "[[models]]\n"
    "id = \"router-knn\"\n"
    "backend = \"router\"\n"
    "version = \"1\"\n"
    "clearance = \"sensitive\"\n"
    "location = \"on_premises\"\n"
    "[[scenarios]]\nid = \"intelligent_qa\"\nmodel = \"faq-bm25\"\n"
    "[[scenarios]]\nid = \"assisted_handling\"\nmodel = \"faq-bm25\"\n"
    "[[scenarios]]\nid = \"policy_direct_access\"\nmodel = \"faq-bm25\"\n"
    "[[scenarios]]\nid = \"information_retrieval\"\nmodel = \"faq-bm25\"\n"
    "[[scenarios]]\nid = \"intelligent_routing\"\nmodel = \"router-knn\"\n";

/* Copy the JSON string or number after "key": into out (no unescaping; enough for ids). */
static const char *field(const char *json, const char *key, char *out, size_t cap) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *p = strstr(json, pattern);
    size_t n = 0;
    if (p != NULL) {
        p += strlen(pattern);
        while (*p == ' ') {
            p++;
        }
        int quoted = *p == '"';
        p += quoted;
        while (p[n] != '\0' && (quoted ? p[n] != '"' : (p[n] != ',' && p[n] != '}')) && n + 1 < cap) {
            n++;
        }
        memcpy(out, p, n);
    }
    out[n] = '\0';
    return out;
}

/* The "text" of a request line, unescaped only as far as \n (enough for the demo file). */
static void request_text(const char *line, char *out, size_t cap) {
    field(line, "text", out, cap);
    char *nl;
    while ((nl = strstr(out, "\\n")) != NULL) {
        *nl = ' ';
        memmove(nl + 1, nl + 2, strlen(nl + 2) + 1);
    }
}

static int fail(govai_error_t *err, const char *what) {
    fprintf(stderr, "%s: %s (%s, %u)\n", what, govai_error_message(err), govai_error_kind(err),
            govai_error_code(err));
    govai_error_free(err);
    return 1;
}

int main(int argc, char **argv) {
    const char *messages = argc > 1 ? argv[1] : "crates/govai/data/demo_messages.jsonl";
    char dir[4096];
    if (argc > 2) {
        snprintf(dir, sizeof dir, "%s", argv[2]);
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/govai-c-demo-XXXXXX", tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
        if (mkdtemp(dir) == NULL) {
            perror("mkdtemp");
            return 2;
        }
    }
    FILE *in = fopen(messages, "r");
    if (in == NULL) {
        perror(messages);
        return 2;
    }

    govai_deployment_t *d = NULL;
    govai_error_t *err = govai_deployment_new_from_toml(CONFIG, sizeof CONFIG - 1, dir, strlen(dir), &d);
    if (err != NULL) {
        fclose(in);
        return fail(err, "deployment");
    }
    printf("govai %s, messages %s, audit log %s/audit.jsonl\n\n", govai_version(), messages, dir);
    printf("%-5s  %-21s  %-10s  %-9s  %s\n", "audit", "scenario", "level", "outcome", "message (masked)");

    char *line = NULL;
    size_t line_cap = 0;
    ssize_t len;
    long handled = 0;
    int status = 0;
    while ((len = getline(&line, &line_cap, in)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
            line[--len] = '\0';
        }
        if (len == 0) {
            continue;
        }
        char *response = NULL;
        err = govai_deployment_handle_json(d, line, (size_t)len, &response);
        if (err != NULL) {
            status = fail(err, "request");
            break;
        }
        char id[32], scenario[64], level[32], outcome[32], text[1024];
        request_text(line, text, sizeof text);
        char *masked = NULL;
        err = govai_mask(text, strlen(text), "mask", 4, &masked);
        if (err != NULL) {
            govai_string_free(response);
            status = fail(err, "mask");
            break;
        }
        printf("%-5s  %-21s  %-10s  %-9s  %s\n", field(response, "audit_id", id, sizeof id),
               field(response, "scenario", scenario, sizeof scenario),
               field(response, "data_level", level, sizeof level),
               field(response, "outcome", outcome, sizeof outcome), masked);
        govai_string_free(masked);
        govai_string_free(response);
        handled++;
    }
    free(line);
    fclose(in);
    govai_deployment_free(d);
    if (status != 0) {
        return status;
    }

    char log[4200];
    snprintf(log, sizeof log, "%s/audit.jsonl", dir);
    char *report = NULL;
    bool intact = false;
    err = govai_audit_verify_json(log, strlen(log), &report, &intact);
    if (err != NULL) {
        return fail(err, "audit verify");
    }
    char records[32], anchor[32];
    field(report, "records", records, sizeof records);
    printf("\n%s: %s, %s records, anchor %s\n", log, intact ? "intact" : "NOT INTACT", records,
           field(report, "anchor", anchor, sizeof anchor));
    govai_string_free(report);
    return intact && atol(records) == handled ? 0 : 1;
}
