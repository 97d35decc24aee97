// The header works from C++ (extern "C", cpp_compat) and survives being included twice.
// Built by scripts/test-c.sh with g++ -std=c++17 -Wall -Wextra -Werror and linked against
// libgovai.
#include "govai.h"
#include "govai.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

namespace {

// RAII owners, the way a C++ caller would wrap the C API.
struct ErrorDeleter {
    void operator()(govai_error_t *e) const noexcept { govai_error_free(e); }
};
struct StringDeleter {
    void operator()(char *s) const noexcept { govai_string_free(s); }
};
struct ScanResultDeleter {
    void operator()(govai_scan_result_t *r) const noexcept { govai_scan_result_free(r); }
};
using Error = std::unique_ptr<govai_error_t, ErrorDeleter>;
using ScanResult = std::unique_ptr<govai_scan_result_t, ScanResultDeleter>;
using String = std::unique_ptr<char, StringDeleter>;

}  // namespace

int main() {
    static_assert(GOVAI_ERROR_PANIC == 102, "error codes are ABI");
    static_assert(sizeof(govai_error_code_t) == sizeof(std::uint32_t), "codes are 32-bit");
    if (std::strcmp(govai_version(), GOVAI_VERSION_STRING) != 0) {
        std::fprintf(stderr, "version mismatch: %s vs %s\n", govai_version(), GOVAI_VERSION_STRING);
        return 1;
    }
    const std::string text = "身份证号11010519491231002X";
    char *raw = nullptr;
    Error err(govai_scan_json(text.data(), text.size(), &raw));
    String json(raw);
    if (err || !json || std::strstr(json.get(), "cn_resident_id") == nullptr) {
        std::fprintf(stderr, "scan failed: %s\n", govai_error_message(err.get()));
        return 1;
    }
    Error null_err(govai_scan_json(nullptr, 1, &raw));
    if (govai_error_code(null_err.get()) != GOVAI_ERROR_NULL_ARGUMENT) {
        std::fprintf(stderr, "expected GOVAI_ERROR_NULL_ARGUMENT\n");
        return 1;
    }
    // The typed scan: the finding struct and the level enum are usable from C++.
    govai_scan_result_t *raw_result = nullptr;
    Error scan_err(govai_scan(text.data(), text.size(), &raw_result));
    ScanResult result(raw_result);
    govai_finding_t finding{};
    Error finding_err(govai_scan_result_finding(result.get(), 0, &finding));
    if (scan_err || finding_err || govai_scan_result_level(result.get()) == GOVAI_DATA_LEVEL_PUBLIC ||
        std::strcmp(finding.type, "cn_resident_id") != 0 || finding.byte_end - finding.byte_start != 18) {
        std::fprintf(stderr, "typed scan failed\n");
        return 1;
    }
    const std::string op = "replace";
    Error mask_err(govai_mask(text.data(), text.size(), op.data(), op.size(), &raw));
    String masked(raw);
    if (mask_err || std::strcmp(masked.get(), "身份证号<cn_resident_id>") != 0) {
        std::fprintf(stderr, "mask failed\n");
        return 1;
    }
    std::printf("ok: C++ double include\n");
    return 0;
}
