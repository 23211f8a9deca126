//! Non-blocking calls (feature `nonblocking`): a dynamic call run on a
//! worker thread of a bounded pool, its result a runtime-agnostic
//! [`Future`]. The call is the same checked
//! [`CFunc::call`]; only the thread it runs on changes.

mod future;
mod owned;
mod pool;

use std::panic::{AssertUnwindSafe, catch_unwind};

pub use future::CallFuture;
pub use owned::{OwnedArg, OwnedArgs};
pub use pool::WorkerPool;

use crate::error::Error;
use crate::func::{CFunc, FromResult, Functions};
use future::Outcome;

impl CFunc {
    /// Runs the call on a worker thread of the [global](WorkerPool::global)
    /// pool and returns at once: the short form ([`invoke`](Self::invoke))
    /// made non-blocking, for a slow C function (compression, a database
    /// query, a blocking read) called from async code. Await the
    /// [`CallFuture`] with any executor.
    ///
    /// The arguments move to the worker, so each must be owned or
    /// `'static` ([`OwnedArg`]); a borrowed slice is a compile error. The
    /// checks, errors, callback failures and `errno` capture are those of
    /// [`call`](Self::call), and come back through the future. The call
    /// runs on another thread: that C may be called from one is part of
    /// what binding the function promised, as for any `CFunc` shared
    /// between threads.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::CType;
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output { futures_executor::block_on(f) }
    /// // SAFETY: the project's own library has no initialisers.
    /// let lib = unsafe { rctypes::load_library("mean", rctypes_csrc::DIR)? };
    /// let n_floats = rctypes::Extent::ElementsFromArg(2);
    /// // SAFETY: mean.c's `float compute_mean(float *A, int n)` reads n
    /// // floats of A, not NULL, and is thread-safe.
    /// let mean = unsafe {
    ///     lib.function("compute_mean", &[CType::const_pointer(CType::Float).extent(n_floats), CType::Int], CType::Float)?
    /// };
    /// let call = mean.spawn::<f32, _>((vec![1.0f32, 2.0, 3.0, 4.0], 4));
    /// // ... the caller goes on; any executor awaits the result:
    /// assert_eq!(block_on(call)?, 2.5);
    /// // The checks are `call`'s, and their errors come through the future.
    /// let err = block_on(mean.spawn::<f32, _>((vec![1.0f32; 2], 4))).unwrap_err();
    /// assert!(err.to_string().starts_with("compute_mean: argument 1"), "{err}");
    /// # Ok(()) }
    /// ```
    pub fn spawn<R, A>(&self, args: A) -> CallFuture<R>
    where
        R: FromResult + Send + 'static,
        A: OwnedArgs,
    {
        self.spawn_on(WorkerPool::global(), args)
    }

    /// [`spawn`](Self::spawn) on a pool of your own, with its own bound.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{Library, WorkerPool};
    /// let pool = WorkerPool::new(1);
    /// // SAFETY: C's own signature.
    /// let labs = unsafe { Library::this()?.declare("long labs(long v)")? };
    /// let call = labs.spawn_on::<i64, _>(&pool, (-3,));
    /// assert_eq!(futures_executor::block_on(call)?, 3);
    /// # Ok(()) }
    /// ```
    pub fn spawn_on<R, A>(&self, pool: &WorkerPool, mut args: A) -> CallFuture<R>
    where
        R: FromResult + Send + 'static,
        A: OwnedArgs,
    {
        self.run_on(pool, move |f| {
            let values = args.lend();
            f.call(values.as_ref()).and_then(R::from_result)
        })
    }

    /// [`spawn`](Self::spawn), giving the arguments back with the result:
    /// for buffers C writes, owned by the worker during the call. It runs on
    /// the global pool; an error loses the arguments with the call.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::CType;
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output { futures_executor::block_on(f) }
    /// // SAFETY: the project's own library has no initialisers.
    /// let lib = unsafe { rctypes::load_library("fibonacci", rctypes_csrc::DIR)? };
    /// // SAFETY: fibseries reads `elements` ints from `a` and writes as many
    /// // to `series`, neither NULL.
    /// let fibseries = unsafe {
    ///     lib.declare("void fibseries(const int a[elements], int elements, int series[elements])")?
    /// };
    /// let call = fibseries.spawn_returning_args::<(), _>((vec![1, 2, 3, 4, 5], 5, vec![0; 5]));
    /// let ((), (_, _, series)) = block_on(call)?;
    /// assert_eq!(series, [0, 1, 1, 2, 3]);
    /// # Ok(()) }
    /// ```
    pub fn spawn_returning_args<R, A>(&self, args: A) -> CallFuture<(R, A)>
    where
        R: FromResult + Send + 'static,
        A: OwnedArgs,
    {
        self.run_on(WorkerPool::global(), move |f| {
            let mut args = args;
            let result = f.call(args.lend().as_ref()).and_then(R::from_result)?;
            Ok((result, args))
        })
    }

    /// Queues `job` on `pool` with a clone of this function, the caller's
    /// private `errno` carried there and the worker's brought back.
    fn run_on<T: Send + 'static>(
        &self,
        pool: &WorkerPool,
        job: impl FnOnce(&CFunc) -> crate::Result<T> + Send + 'static,
    ) -> CallFuture<T> {
        let (future, completer) = CallFuture::pair(self.name());
        let f = self.clone();
        let errno = self.captures_errno().then(crate::get_errno);
        let submitted = pool.submit(Box::new(move || {
            let outcome = match catch_unwind(AssertUnwindSafe(|| {
                if let Some(errno) = errno {
                    crate::set_errno(errno);
                }
                job(&f)
            })) {
                Ok(result) => Outcome::Finished(result, errno.map(|_| crate::get_errno())),
                Err(payload) => Outcome::Panicked(payload),
            };
            completer.complete(outcome);
        }));
        match submitted {
            Ok(()) => future,
            Err(e) => CallFuture::ready(Err(Error::Worker {
                function: self.name().to_owned(),
                message: format!("cannot start a worker thread: {e}"),
                source: Some(Box::new(e)),
            })),
        }
    }
}

impl Functions {
    /// Runs `name` on a worker thread of the global pool
    /// ([`CFunc::spawn`]); a name not bound resolves to its error.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output { futures_executor::block_on(f) }
    /// // SAFETY: the project's own library has no initialisers.
    /// let lib = unsafe { rctypes::load_library("fibonacci", rctypes_csrc::DIR)? };
    /// // SAFETY: fibonacci.c's `int fib(int)`.
    /// let fns = unsafe { lib.declare_all("int fib(int n);")? };
    /// assert_eq!(block_on(fns.spawn::<i32, _>("fib", (20,)))?, 4181);
    /// assert!(block_on(fns.spawn::<i32, _>("fob", (20,))).is_err());
    /// # Ok(()) }
    /// ```
    pub fn spawn<R, A>(&self, name: &str, args: A) -> CallFuture<R>
    where
        R: FromResult + Send + 'static,
        A: OwnedArgs,
    {
        match self.get(name) {
            Ok(f) => f.spawn(args),
            Err(e) => CallFuture::ready(Err(e)),
        }
    }
}
