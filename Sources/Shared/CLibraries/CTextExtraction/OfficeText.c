// Office Open XML text through libzip (the archive) and libxml2's streaming reader (each part).
#include "CTextExtraction.h"

#include <libxml/xmlreader.h>
#include <zip.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    zip_file_t *file;
    size_t read;
    size_t max_part;
    size_t *total;
    size_t max_total;
    int over_budget;
} part_source;

static int read_part(void *context, char *buffer, int length) {
    part_source *source = context;
    zip_int64_t got = zip_fread(source->file, buffer, (zip_uint64_t)length);
    if (got < 0) return -1;
    source->read += (size_t)got;
    *source->total += (size_t)got;
    if (source->read > source->max_part || *source->total > source->max_total) {
        source->over_budget = 1;
        return -1;
    }
    return (int)got;
}

static int close_part(void *context) {
    (void)context;
    return 0;
}

static void quiet(void *context, const char *message, ...) {
    (void)context;
    (void)message;
}

/// Streams one part, writing the text of its `t` elements; paragraphs (`p`), shared strings
/// (`si`) and rows end a line, `tab` and `br` are what they say.
static cte_status stream_part(zip_t *archive, const char *name, size_t max_part, size_t *total, size_t max_total,
                              cte_writer write, void *context, char *error, size_t capacity) {
    zip_file_t *file = zip_fopen(archive, name, 0);
    if (!file) {
        snprintf(error, capacity, "the document has no readable %s", name);
        return CTE_FAILED;
    }
    part_source source = {file, 0, max_part, total, max_total, 0};
    xmlTextReaderPtr reader =
        xmlReaderForIO(read_part, close_part, &source, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!reader) {
        zip_fclose(file);
        snprintf(error, capacity, "%s could not be read", name);
        return CTE_FAILED;
    }
    xmlTextReaderSetErrorHandler(reader, NULL, NULL);
    cte_status status = CTE_OK;
    int depth_in_text = 0;
    int result;
    while ((result = xmlTextReaderRead(reader)) == 1) {
        int type = xmlTextReaderNodeType(reader);
        const char *local = (const char *)xmlTextReaderConstLocalName(reader);
        if (type == XML_READER_TYPE_ELEMENT) {
            if (strcmp(local, "t") == 0 && !xmlTextReaderIsEmptyElement(reader)) depth_in_text = 1;
            else if (strcmp(local, "tab") == 0 && write("\t", 1, context) != 0) { status = CTE_STOPPED; break; }
            else if (strcmp(local, "br") == 0 && write("\n", 1, context) != 0) { status = CTE_STOPPED; break; }
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            if (strcmp(local, "t") == 0) depth_in_text = 0;
            else if ((strcmp(local, "p") == 0 || strcmp(local, "si") == 0 || strcmp(local, "row") == 0) &&
                     write("\n", 1, context) != 0) { status = CTE_STOPPED; break; }
        } else if (depth_in_text && (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
                                     type == XML_READER_TYPE_CDATA)) {
            const char *text = (const char *)xmlTextReaderConstValue(reader);
            if (text && write(text, strlen(text), context) != 0) { status = CTE_STOPPED; break; }
        }
    }
    if (status == CTE_OK && result != 0) {
        if (source.over_budget) {
            snprintf(error, capacity, "%s unpacks to more than its budget", name);
            status = CTE_OVER_BUDGET;
        } else {
            snprintf(error, capacity, "%s is not well-formed XML", name);
            status = CTE_FAILED;
        }
    }
    xmlFreeTextReader(reader);
    zip_fclose(file);
    return status;
}

static int compare_numbers(const void *left, const void *right) {
    long a = *(const long *)left, b = *(const long *)right;
    return (a > b) - (a < b);
}

/// The numbers N of the entries named `<prefix>N.xml`, in order.
static size_t numbered_parts(zip_t *archive, const char *prefix, long *numbers, size_t capacity) {
    size_t found = 0, length = strlen(prefix);
    zip_int64_t entries = zip_get_num_entries(archive, 0);
    for (zip_int64_t index = 0; index < entries && found < capacity; ++index) {
        const char *name = zip_get_name(archive, (zip_uint64_t)index, 0);
        if (!name || strncmp(name, prefix, length) != 0) continue;
        char *end = NULL;
        long number = strtol(name + length, &end, 10);
        if (end != name + length && strcmp(end, ".xml") == 0 && number > 0) numbers[found++] = number;
    }
    qsort(numbers, found, sizeof(long), compare_numbers);
    return found;
}

cte_status cte_office_text(const char *path, cte_office_kind kind, size_t max_part_bytes, size_t max_total_bytes,
                           cte_writer write, void *context, int *parts, char *error, size_t capacity) {
    xmlSetGenericErrorFunc(NULL, quiet);
    *parts = 0;
    int code = 0;
    zip_t *archive = zip_open(path, ZIP_RDONLY, &code);
    if (!archive) {
        snprintf(error, capacity, "the document is not a readable zip archive");
        return CTE_FAILED;
    }
    size_t total = 0;
    cte_status status = CTE_OK;
    if (kind == CTE_DOCX) {
        status = stream_part(archive, "word/document.xml", max_part_bytes, &total, max_total_bytes, write, context, error,
                             capacity);
        *parts = 1;
    } else if (kind == CTE_XLSX) {
        // A workbook without shared strings is fine: its sheets may hold inline strings only.
        if (zip_name_locate(archive, "xl/sharedStrings.xml", 0) >= 0) {
            status = stream_part(archive, "xl/sharedStrings.xml", max_part_bytes, &total, max_total_bytes, write, context,
                                 error, capacity);
            *parts = 1;
        }
        static long sheets[4096];
        size_t count = numbered_parts(archive, "xl/worksheets/sheet", sheets, 4096);
        for (size_t index = 0; index < count && status == CTE_OK; ++index) {
            char name[64];
            snprintf(name, sizeof name, "xl/worksheets/sheet%ld.xml", sheets[index]);
            status = stream_part(archive, name, max_part_bytes, &total, max_total_bytes, write, context, error, capacity);
            ++*parts;
        }
    } else {
        static long slides[4096];
        size_t count = numbered_parts(archive, "ppt/slides/slide", slides, 4096);
        if (count == 0) {
            snprintf(error, capacity, "the presentation has no slides");
            status = CTE_FAILED;
        }
        for (size_t index = 0; index < count && status == CTE_OK; ++index) {
            char name[64];
            snprintf(name, sizeof name, "ppt/slides/slide%ld.xml", slides[index]);
            if (index > 0 && write("\n", 1, context) != 0) {
                status = CTE_STOPPED;
                break;
            }
            status = stream_part(archive, name, max_part_bytes, &total, max_total_bytes, write, context, error, capacity);
            ++*parts;
        }
    }
    zip_discard(archive);
    return status;
}
