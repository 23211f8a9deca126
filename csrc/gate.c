#include "gate.h"

#include <pthread.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int open_ = 0;
static int waiting = 0;
static int most = 0;

int gate_wait(int id) {
    pthread_mutex_lock(&lock);
    waiting++;
    if (waiting > most)
        most = waiting;
    pthread_cond_broadcast(&changed);
    while (!open_)
        pthread_cond_wait(&changed, &lock);
    waiting--;
    pthread_mutex_unlock(&lock);
    return id * 2;
}

int gate_waiting(void) {
    pthread_mutex_lock(&lock);
    int n = waiting;
    pthread_mutex_unlock(&lock);
    return n;
}

int gate_most_waiting(void) {
    pthread_mutex_lock(&lock);
    int n = most;
    pthread_mutex_unlock(&lock);
    return n;
}

void gate_open(void) {
    pthread_mutex_lock(&lock);
    open_ = 1;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

void gate_reset(void) {
    pthread_mutex_lock(&lock);
    open_ = 0;
    waiting = 0;
    most = 0;
    pthread_mutex_unlock(&lock);
}
