//! Password hashing off the executor: a pool of threads of its own, at the
//! lowest CPU priority (nice 19). A flood of password guesses queues for
//! these threads; it cannot take the cores from the executor's threads,
//! which go on answering everything else, because the kernel runs a nice-19
//! thread only when nothing of normal priority wants the core. On an idle
//! server the hashes get whole cores.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

type Job = Box<dyn FnOnce() + Send>;

/// A fixed number of hashing threads; jobs wait in a queue for one.
pub struct HashPool {
    jobs: mpsc::Sender<Job>,
}

impl HashPool {
    /// `threads` hashing threads (at least one).
    pub fn new(threads: usize) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new().name(format!("hash-{n}")).spawn(move || {
                // Best effort: a system that refuses leaves the thread at its priority.
                let _ = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 19);
                loop {
                    // The lock is held while waiting: one idle thread waits on
                    // the queue, the others on the lock.
                    let job = queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
                    match job {
                        Ok(job) => job(),
                        // The pool is gone: the server is shutting down.
                        Err(mpsc::RecvError) => return,
                    }
                }
            })?;
        }
        Ok(HashPool { jobs })
    }

    /// `hash()` on a hashing thread; the caller's task waits without holding
    /// an executor thread.
    pub async fn run<T: Send + 'static>(&self, hash: impl FnOnce() -> T + Send + 'static) -> T {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            // The request may have gone meanwhile: nobody to tell.
            let _ = reply.send(hash());
        });
        self.jobs.send(job).expect("the hashing threads live as long as the pool");
        answer.await.expect("a hashing thread panicked")
    }
}
