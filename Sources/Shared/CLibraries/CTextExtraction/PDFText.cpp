// A C face for poppler-cpp's text extraction, so Swift needs no C++ interop.
#include "CTextExtraction.h"

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <cstdio>
#include <memory>

namespace {
void quiet(const std::string &, void *) {}

void describe(char *error, size_t capacity, const char *text) {
    if (capacity > 0) std::snprintf(error, capacity, "%s", text);
}
}  // namespace

cte_status cte_pdf_text(const char *data, size_t length, cte_writer write, void *context, int *pages, char *error,
                        size_t error_capacity) {
    // poppler reports damaged objects on stderr; the caller says what failed, once.
    poppler::set_debug_error_function(quiet, nullptr);
    *pages = 0;
    if (length > 0x7fffffff) {
        describe(error, error_capacity, "the PDF is too large");
        return CTE_FAILED;
    }
    std::unique_ptr<poppler::document> document(
        poppler::document::load_from_raw_data(data, static_cast<int>(length)));
    if (!document) {
        describe(error, error_capacity, "the PDF could not be read");
        return CTE_FAILED;
    }
    if (document->is_locked()) {
        describe(error, error_capacity, "the PDF is encrypted");
        return CTE_FAILED;
    }
    const int count = document->pages();
    *pages = count;
    for (int index = 0; index < count; ++index) {
        std::unique_ptr<poppler::page> page(document->create_page(index));
        if (!page) continue;
        poppler::byte_array text = page->text().to_utf8();
        if (index > 0 && write("\n\n", 2, context) != 0) return CTE_STOPPED;
        if (!text.empty() && write(text.data(), text.size(), context) != 0) return CTE_STOPPED;
    }
    return CTE_OK;
}
