#include "real_apis_handles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rh_db {
    char *name;
    int rows;
};

static int frees;

int rh_open(const char *name, rh_db **out) {
    if (name[0] == '\0') {
        *out = NULL;
        return 1;
    }
    rh_db *db = malloc(sizeof *db);
    db->name = strdup(name);
    db->rows = 0;
    *out = db;
    return 0;
}

static char *message(const char *prefix, const char *text) {
    size_t n = strlen(prefix) + strlen(text) + 1;
    char *m = malloc(n);
    snprintf(m, n, "%s%s", prefix, text);
    return m;
}

int rh_exec(rh_db *db, const char *command, char **errmsg) {
    int n;
    if (sscanf(command, "insert %d", &n) == 1) {
        db->rows += n;
        *errmsg = NULL;
        return 0;
    }
    *errmsg = message("no such command: ", command);
    return 1;
}

int rh_rows(const rh_db *db) { return db->rows; }

int rh_name_len(const rh_db *db) { return (int)strlen(db->name); }

rh_db *rh_copy(const rh_db *db) {
    rh_db *copy = NULL;
    if (db->rows > 0 && rh_open(db->name, &copy) != 0) {
        return NULL;
    }
    return copy;
}

static char shared_name[] = "shared";
static rh_db shared = {shared_name, 0};

rh_db *rh_shared(void) { return &shared; }

int rh_open_into(const char *name, rh_db **out) {
    int lent = *out != NULL;
    int rc = rh_open(name, out);
    return rc == 0 && lent ? 2 : rc;
}

int rh_close(rh_db *db) {
    free(db->name);
    free(db);
    return 0;
}

int rh_describe(int code, char **out) {
    char buf[32];
    snprintf(buf, sizeof buf, "%d", code);
    *out = message("code ", buf);
    return 0;
}

void rh_free(void *p) {
    if (p) {
        frees++;
    }
    free(p);
}

int rh_frees(void) { return frees; }

double rh_strtod(const char *s, char **end) {
    double x = 0, scale = 1;
    const char *p = s;
    while (*p >= '0' && *p <= '9') {
        x = x * 10 + (*p++ - '0');
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            scale /= 10;
            x += (*p++ - '0') * scale;
        }
    }
    *end = (char *)p;
    return x;
}

static char elsewhere[4];

double rh_strtod_broken(const char *s, char **end) {
    (void)s;
    *end = elsewhere;
    return -1;
}
