//! tgsync: the daemon library (CLI, watchers, AWS adapter, simulation driver).
pub mod watch;
