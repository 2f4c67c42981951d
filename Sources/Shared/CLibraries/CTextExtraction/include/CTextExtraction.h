#ifndef CTEXTEXTRACTION_H
#define CTEXTEXTRACTION_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Receives extracted UTF-8 text piece by piece; returns nonzero to stop (the budget is spent).
typedef int (*cte_writer)(const char *bytes, size_t length, void *context);

/// What an extraction ended with.
typedef enum {
    CTE_OK = 0,
    /// The writer asked to stop: the text is cut at its budget.
    CTE_STOPPED = 1,
    /// The file is not what its type says, or is damaged; `error` says why.
    CTE_FAILED = 2,
    /// A part of the document would unpack to more than its budget (a zip bomb).
    CTE_OVER_BUDGET = 3,
} cte_status;

/// The text of every page of a PDF (poppler), pages separated by a blank line. `pages` gets
/// the page count. Encrypted documents fail.
cte_status cte_pdf_text(const char *data, size_t length, cte_writer write, void *context, int *pages, char *error,
                        size_t error_capacity);

/// Which Office Open XML document.
typedef enum { CTE_DOCX = 0, CTE_XLSX = 1, CTE_PPTX = 2 } cte_office_kind;

/// The text of a docx (its body), xlsx (its shared and inline strings) or pptx (its slides in
/// order), read from the zip at `path` with libzip and each XML part streamed through libxml2:
/// no part is unpacked whole, and one that unpacks to more than `max_part_bytes` (or all of
/// them to more than `max_total_bytes`) ends the extraction with CTE_OVER_BUDGET.
cte_status cte_office_text(const char *path, cte_office_kind kind, size_t max_part_bytes, size_t max_total_bytes,
                           cte_writer write, void *context, int *parts, char *error, size_t error_capacity);

#ifdef __cplusplus
}
#endif
#endif
