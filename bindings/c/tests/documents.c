/*
 * govai_deployment_check_documents_json: recognised pages checked against a checklist of the
 * deployment (assisted handling), its result JSON, its audit record, and its errors.
 *
 * Built by scripts/test-c.sh with
 *   gcc -std=c11 -Wall -Wextra -Wpedantic -Werror -I include documents.c -lgovai
 * Exit status 0 = all checks passed.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */

#include "govai.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tmpdir.h"

#define S(literal) (literal), (sizeof(literal) - 1)

static const char CONFIG[] =
    "[audit]\n"
    "path = \"audit.jsonl\"\n"
    "fsync = \"never\"\n"
    "[[models]]\n"
    "id = \"faq-bm25\"\n"
    "backend = \"faq\"\n"
    "clearance = \"sensitive\"\n"
    "location = \"on_premises\"\n"
    "[[scenarios]]\n"
    "id = \"assisted_handling\"\n"
    "model = \"faq-bm25\"\n"
    "[[checklists]]\n"
    "id = \"residence_permit\"\n"
    "version = \"c-test\"\n"
    "scenario = \"assisted_handling\"\n"
    "name = \"居住证申领\"\n"
    "[[checklists.materials]]\n"
    "id = \"id_card\"\n"
    "name = \"居民身份证\"\n"
    "titles = [\"居民身份证\"]\n"
    "fields = [{ name = \"公民身份号码\", kind = \"resident_id\" },"
    " { name = \"有效期限\", kind = \"validity\" }]\n"
    "[[checklists.materials]]\n"
    "id = \"household_register\"\n"
    "name = \"户口簿（本人页）\"\n"
    "titles = [\"常住人口登记卡\"]\n";

/* One ID card, with a number in OCR spacing; no household register. */
static const char REQUEST[] =
    "{\"scenario\":\"assisted_handling\",\"as_of\":\"2026-12-05\",\"user\":\"c-test\",\"pages\":["
    "{\"file\":\"card.jpg\",\"lines\":["
    "{\"text\":\"居民身份证\",\"confidence\":0.99},"
    "{\"text\":\"公民身份号码 1101 0519 4912 3100 2X\",\"confidence\":0.96},"
    "{\"text\":\"有效期限 2016.03.01-2036.03.01\",\"confidence\":0.97,"
    "\"bbox\":[[0,0],[10,0],[10,2],[0,2]]}]}]}";

static char *read_all(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    char *buf = calloc(1, 1 << 20);
    if (buf != NULL) {
        size_t n = fread(buf, 1, (1 << 20) - 1, f);
        buf[n] = '\0';
    }
    fclose(f);
    return buf;
}

static void expect_code(govai_error_t *err, uint32_t code) {
    CHECK(err != NULL && govai_error_code(err) == code);
    if (err != NULL && govai_error_code(err) != code) {
        fprintf(stderr, "  got %u: %s\n", (unsigned)govai_error_code(err), govai_error_message(err));
    }
    govai_error_free(err);
}

int main(void) {
    char dir[4096];
    if (make_temp_dir(dir, sizeof dir, "documents") != 0) {
        return 2;
    }
    govai_deployment_t *d = NULL;
    if (!EXPECT_OK(govai_deployment_new_from_toml(S(CONFIG), dir, strlen(dir), &d))) {
        remove_tree(dir);
        return 1;
    }

    char *result = NULL;
    if (EXPECT_OK(govai_deployment_check_documents_json(d, S(REQUEST), &result))) {
        CHECK(strstr(result, "\"decision\":\"clerk\"") != NULL);
        CHECK(strstr(result, "\"complete\":false") != NULL);
        CHECK(strstr(result, "\"status\":\"present\"") != NULL);
        CHECK(strstr(result, "\"status\":\"missing\"") != NULL);
        CHECK(strstr(result, "缺少材料：户口簿（本人页）") != NULL);
        CHECK(strstr(result, "〔身份证号1〕") != NULL);
        CHECK(strstr(result, "0519") == NULL);
        govai_string_free(result);
    }
    char log[4200];
    snprintf(log, sizeof log, "%s/audit.jsonl", dir);
    char *audit = read_all(log);
    CHECK(audit != NULL && strstr(audit, "\"kind\":\"document_check\"") != NULL);
    CHECK(audit != NULL && strstr(audit, "\"checklist_version\":\"c-test\"") != NULL);
    CHECK(audit != NULL && strstr(audit, "0519") == NULL);
    free(audit);

    /* Errors. */
    result = NULL;
    expect_code(govai_deployment_check_documents_json(NULL, S(REQUEST), &result), GOVAI_ERROR_NULL_ARGUMENT);
    expect_code(govai_deployment_check_documents_json(d, S(REQUEST), NULL), GOVAI_ERROR_NULL_ARGUMENT);
    expect_code(govai_deployment_check_documents_json(d, S("{\"scenario\":"), &result), GOVAI_ERROR_INVALID_INPUT);
    expect_code(govai_deployment_check_documents_json(d, S("{\"pages\":[]}"), &result), GOVAI_ERROR_INVALID_INPUT);
    expect_code(govai_deployment_check_documents_json(d, S("{\"scenario\":\"assisted_handling\",\"pages\":[]}"),
                                                      &result),
                GOVAI_ERROR_INVALID_INPUT);
    expect_code(govai_deployment_check_documents_json(
                    d, S("{\"scenario\":\"assisted_handling\",\"pages\":[],\"colour\":1}"), &result),
                GOVAI_ERROR_INVALID_INPUT);
    expect_code(govai_deployment_check_documents_json(
                    d, S("{\"scenario\":\"intelligent_qa\",\"pages\":[{\"file\":\"a\",\"lines\":[]}]}"), &result),
                GOVAI_ERROR_NOT_FOUND);
    expect_code(govai_deployment_check_documents_json(
                    d,
                    S("{\"scenario\":\"assisted_handling\",\"checklist\":\"nope\","
                      "\"pages\":[{\"file\":\"a\",\"lines\":[]}]}"),
                    &result),
                GOVAI_ERROR_NOT_FOUND);
    CHECK(result == NULL);

    govai_deployment_free(d);
    remove_tree(dir);
    printf("documents.c: %d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
