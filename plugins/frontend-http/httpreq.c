/*
 * plugins/frontend-http/httpreq.c - requests in flight (see httpreq.h).
 */
#include "config.h"

#include "httpreq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

http_req_t *http_req_new(http_reqs_t *reqs, void *wsi, const char *name, char *credential)
{
    http_req_t *r = exo_xcalloc(1, sizeof *r);
    r->wsi = wsi;
    r->credential = credential;
    http_req_next(reqs, r, name);
    r->next = reqs->head;
    reqs->head = r;
    return r;
}

void http_req_next(http_reqs_t *reqs, http_req_t *req, const char *name)
{
    free(req->name);
    req->name = exo_xstrdup(name);
    exo_buf_free(&req->body);
    snprintf(req->id, sizeof req->id, "h%lu", ++reqs->next_id);
    req->too_large = req->started = req->answered = false;
}

http_req_t *http_req_by_wsi(const http_reqs_t *reqs, const void *wsi)
{
    for (http_req_t *r = reqs->head; r != NULL && wsi != NULL; r = r->next) {
        if (r->wsi == wsi) {
            return r;
        }
    }
    return NULL;
}

http_req_t *http_req_by_conn(const http_reqs_t *reqs, exo_conn_id_t conn)
{
    for (http_req_t *r = reqs->head; r != NULL && conn != 0; r = r->next) {
        if (r->conn == conn) {
            return r;
        }
    }
    return NULL;
}

void http_req_free(http_reqs_t *reqs, http_req_t *req)
{
    if (req == NULL) {
        return;
    }
    for (http_req_t **p = &reqs->head; *p != NULL; p = &(*p)->next) {
        if (*p == req) {
            *p = req->next;
            break;
        }
    }
    free(req->name);
    free(req->credential);
    exo_buf_free(&req->body);
    free(req);
}

void http_reqs_clear(http_reqs_t *reqs)
{
    while (reqs->head != NULL) {
        http_req_free(reqs, reqs->head);
    }
}

bool http_req_append(http_req_t *req, const void *data, size_t len, size_t max)
{
    if (req->too_large) {
        return false;
    }
    if (len > max || req->body.len > max - len) {
        req->too_large = true;
        exo_buf_free(&req->body);
        return false;
    }
    exo_buf_append(&req->body, (const char *)data, len);
    return true;
}

const char *http_message_name_problem(const char *name)
{
    if (name[0] == '\0') {
        return "no message name after the prefix";
    }
    if (name[0] == '.' || name[strlen(name) - 1] == '.' || strstr(name, "..") != NULL) {
        return "an empty part in the message name";
    }
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-')) {
            return "a character other than letters, digits, '.', '_' and '-' in the message name";
        }
    }
    return NULL;
}
