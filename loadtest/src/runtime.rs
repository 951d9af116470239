//! The runtime every simulation, actor test and bench runs on.

/// An actix system on a paused current-thread tokio runtime: virtual time jumps ahead whenever every task
/// is idle, so hours of churn take seconds and a run is reproducible.
pub fn paused_system() -> actix_rt::SystemRunner {
    actix_rt::System::with_tokio_rt(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .expect("a current-thread tokio runtime with only the timer enabled always builds")
    })
}
