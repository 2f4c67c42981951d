/* The floor to compare with: a plain C libfcgi + libpq responder doing the same lookup as
 * identify-and-ensure-bucket's hot path (one prepared statement per request, answer JSON),
 * with none of the parsing, auth or normalization. Built and run by bench/baseline.sh only. */
#include <fcgiapp.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *SQL =
    "SELECT DISTINCT m.user_id, b.bucket_name FROM public.whatsapp_user_mapping m "
    "LEFT JOIN public.user_bucket_mapping b ON b.user_id = m.user_id "
    "WHERE public.userbuckets_phone_key(m.whatsapp_number) = $1 LIMIT 2";

int main(void) {
    setenv("LIBFCGI_OS_CLOSE_POLL_TIMEOUT", "0", 0);
    PGconn *db = PQconnectdb(getenv("DATABASE_URL"));
    if (PQstatus(db) != CONNECTION_OK) { fprintf(stderr, "%s", PQerrorMessage(db)); return 1; }
    PQclear(PQexec(db, "SET plan_cache_mode = force_generic_plan"));
    PQclear(PQprepare(db, "q", SQL, 1, NULL));
    FCGX_Init();
    FCGX_Request request;
    FCGX_InitRequest(&request, 0, 0);
    char body[4096], key[32], out[512];
    while (FCGX_Accept_r(&request) >= 0) {
        int n = FCGX_GetStr(body, sizeof body - 1, request.in);
        body[n > 0 ? n : 0] = 0;
        /* The digits of the number, 9th digit folded, as the service's key: good enough here. */
        int k = 0;
        for (char *p = strstr(body, "whatsappNumber"); p && *p && *p != '}' && k < 20; p++)
            if (*p >= '0' && *p <= '9') key[k++] = *p;
        key[k] = 0;
        if (k == 13) memmove(key + 4, key + 5, 9);
        const char *params[1] = {key};
        PGresult *r = PQexecPrepared(db, "q", 1, params, NULL, NULL, 0);
        int len = snprintf(out, sizeof out,
            "Status: 200 OK\r\nContent-Type: application/json\r\n\r\n{\"success\":true,\"data\":{\"userId\":\"%s\",\"bucketName\":\"%s\"}}",
            PQntuples(r) ? PQgetvalue(r, 0, 0) : "", PQntuples(r) ? PQgetvalue(r, 0, 1) : "");
        PQclear(r);
        FCGX_PutStr(out, len, request.out);
        FCGX_Finish_r(&request);
    }
    return 0;
}
