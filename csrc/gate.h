#ifndef RCTYPES_GATE_H
#define RCTYPES_GATE_H
/* A gate for slow calls: gate_wait blocks its thread until gate_open, so a
 * test can hold calls running on worker threads and count them. */

/* Blocks until the gate is open, then returns id * 2. */
int gate_wait(int id);
/* How many calls wait at the gate now. */
int gate_waiting(void);
/* The most calls that waited at the gate at once. */
int gate_most_waiting(void);
/* Opens the gate: every waiting call returns, and later ones pass. */
void gate_open(void);
/* Closes the gate and forgets the counts. */
void gate_reset(void);
#endif
