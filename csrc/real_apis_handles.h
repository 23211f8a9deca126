/* A tiny handle API shaped like SQLite's: a handle written through a
   `T**` out-parameter, an error message C allocates and the caller frees,
   and a strtod-like parser reporting where it stopped. */
#ifndef REAL_APIS_HANDLES_H
#define REAL_APIS_HANDLES_H

typedef struct rh_db rh_db;

/* Opens a database called `name` and writes it through `out`: 0 on success;
   1, with NULL written, for an empty name. */
int rh_open(const char *name, rh_db **out);
/* Runs `command` ("insert N" adds N rows): 0 on success, with NULL written
   through `errmsg`; 1 otherwise, with a message allocated by malloc written
   through `errmsg`, to be freed with rh_free. */
int rh_exec(rh_db *db, const char *command, char **errmsg);
/* The rows inserted so far. */
int rh_rows(const rh_db *db);
/* The length of the name the database was opened with. */
int rh_name_len(const rh_db *db);
/* A new database with the same name as `db`, or NULL if `db` has no rows
   yet. */
rh_db *rh_copy(const rh_db *db);
/* The shared database "shared", static: never to be closed. */
rh_db *rh_shared(void);
/* Opens as rh_open does, and returns 2 instead of 0 if `*out` was not NULL
   when called: what the caller lent in the slot. */
int rh_open_into(const char *name, rh_db **out);
/* Ends the database: 0. */
int rh_close(rh_db *db);

/* Writes "code N", allocated by malloc, through `out`: 0. */
int rh_describe(int code, char **out);
/* Frees what rh_exec and rh_describe allocated. */
void rh_free(void *p);
/* How many times rh_free has freed a non-NULL pointer. */
int rh_frees(void);

/* Parses a decimal number (digits, an optional fraction) at the start of
   `s` and writes the address just past it through `end`. */
double rh_strtod(const char *s, char **end);
/* Writes an address outside `s` through `end`: a broken parser. */
double rh_strtod_broken(const char *s, char **end);

#endif
