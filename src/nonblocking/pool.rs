//! A bounded pool of worker threads: started on demand up to the bound,
//! then kept waiting for more work; calls beyond the bound queue.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};

/// One call to run on a worker. Dropped unrun only when no worker could be
/// started; the call's future then reports that.
pub(crate) type Job = Box<dyn FnOnce() + Send>;

/// Worker threads for non-blocking calls ([`CFunc::spawn_on`](crate::CFunc::spawn_on)),
/// at most [`max_threads`](Self::max_threads) of them. Threads start when
/// calls arrive and no started one is free; calls beyond the bound wait in
/// order. Dropping the last clone of a pool lets its threads finish the
/// calls already given, then end.
///
/// [`CFunc::spawn`](crate::CFunc::spawn) uses the [`global`](Self::global)
/// pool.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{CType, WorkerPool};
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output { futures_executor::block_on(f) }
/// // SAFETY: the project's own library has no initialisers.
/// let lib = unsafe { rctypes::load_library("fibonacci", rctypes_csrc::DIR)? };
/// // SAFETY: fibonacci.c defines `int fib(int)`.
/// let fib = unsafe { lib.function("fib", &[CType::Int], CType::Int)? };
/// let pool = WorkerPool::new(2);
/// let calls: Vec<_> = (1..=10).map(|n| fib.spawn_on::<i32, _>(&pool, (n,))).collect();
/// let results: Vec<i32> = calls.into_iter().map(block_on).collect::<Result<_, _>>()?;
/// assert_eq!(results, [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]);
/// assert!(pool.threads() <= 2);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct WorkerPool {
    owner: Arc<Owner>,
}

/// Closes the pool when the last handle goes; workers hold only `Shared`.
struct Owner {
    shared: Arc<Shared>,
}

struct Shared {
    max: usize,
    state: Mutex<State>,
    work: Condvar,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Job>,
    threads: usize,
    idle: usize,
    closed: bool,
}

impl WorkerPool {
    /// A pool of at most `max_threads` worker threads (at least one).
    pub fn new(max_threads: usize) -> WorkerPool {
        WorkerPool {
            owner: Arc::new(Owner {
                shared: Arc::new(Shared {
                    max: max_threads.max(1),
                    state: Mutex::default(),
                    work: Condvar::new(),
                }),
            }),
        }
    }

    /// The pool [`CFunc::spawn`](crate::CFunc::spawn) uses: at most as many
    /// threads as the machine runs at once, and no fewer than four, since
    /// the calls it runs mostly wait (on I/O, locks, other processes).
    ///
    /// ```
    /// let pool = rctypes::WorkerPool::global();
    /// assert!(pool.max_threads() >= 4);
    /// assert!(pool.threads() <= pool.max_threads());
    /// ```
    pub fn global() -> &'static WorkerPool {
        static GLOBAL: OnceLock<WorkerPool> = OnceLock::new();
        GLOBAL.get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            WorkerPool::new(cores.max(4))
        })
    }

    /// The most threads this pool starts.
    pub fn max_threads(&self) -> usize {
        self.owner.shared.max
    }

    /// How many worker threads it has started and not ended.
    pub fn threads(&self) -> usize {
        self.owner.shared.lock().threads
    }

    /// Queues `job`, starting a worker if none is free and the bound allows.
    /// Returns the system's error when a worker was needed, none runs, and
    /// none could be started; the job is then dropped unrun.
    pub(crate) fn submit(&self, job: Job) -> std::io::Result<()> {
        let shared = &self.owner.shared;
        let mut state = shared.lock();
        state.queue.push_back(job);
        if state.idle > state.queue.len() - 1 || state.threads >= shared.max {
            shared.work.notify_one();
            return Ok(());
        }
        state.threads += 1;
        drop(state);
        let worker = shared.clone();
        let started = std::thread::Builder::new()
            .name("rctypes-worker".into())
            .spawn(move || worker.run());
        if let Err(e) = started {
            let mut state = shared.lock();
            state.threads -= 1;
            if state.threads == 0 {
                state.queue.clear();
                return Err(e);
            }
        }
        Ok(())
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A job never panics while holding the lock (it runs unlocked), so
        // the state is whole even if a lock was poisoned.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A worker: runs queued jobs until the pool is closed and drained.
    fn run(&self) {
        let mut state = self.lock();
        loop {
            if let Some(job) = state.queue.pop_front() {
                drop(state);
                // Jobs catch their own panics, to hand them to their future.
                job();
                state = self.lock();
                continue;
            }
            if state.closed {
                state.threads -= 1;
                return;
            }
            state.idle += 1;
            state = self.work.wait(state).unwrap_or_else(|e| e.into_inner());
            state.idle -= 1;
        }
    }
}

impl Drop for Owner {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.work.notify_all();
    }
}

impl std::fmt::Debug for WorkerPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.owner.shared.lock();
        f.debug_struct("WorkerPool")
            .field("max_threads", &self.owner.shared.max)
            .field("threads", &state.threads)
            .field("queued", &state.queue.len())
            .finish()
    }
}
