//! Where the binary's logs go: stderr, filtered by `RUST_LOG` or the command's default level; `simulate`
//! counts its warnings into its report instead of printing them (`simulate::warnings`).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::cli::Command;

/// `tgsync run` logs what it does; the other commands only warnings.
fn default_log_level(cmd: &Command) -> &'static str {
    match cmd {
        Command::Run(_) => "info",
        _ => "warn",
    }
}

/// Installs the process's subscriber for `cmd`.
pub fn init(cmd: &Command) {
    let explicit = EnvFilter::try_from_default_env().ok();
    // Colour only on a terminal: logs sent to a file or a collector stay plain text.
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    #[cfg(feature = "simulate")]
    if matches!(cmd, Command::Simulate(_)) {
        use tracing_subscriber::util::SubscriberInitExt;
        simulate_subscriber(explicit, std::io::stderr, ansi).init();
        return;
    }
    tracing_subscriber::fmt()
        .with_env_filter(explicit.unwrap_or_else(|| default_log_level(cmd).into()))
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .init();
}

/// `simulate`'s subscriber: every warning and error counted (a throttled run would print a line per
/// throttled call), and only what `explicit` (`RUST_LOG`) asks for written to `writer`.
#[cfg(feature = "simulate")]
pub fn simulate_subscriber<W>(
    explicit: Option<EnvFilter>,
    writer: W,
    ansi: bool,
) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    use tracing_subscriber::filter::LevelFilter;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::Layer;

    let printed = explicit.unwrap_or_else(|| EnvFilter::new("off"));
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(writer)
                .with_ansi(ansi)
                .with_filter(printed),
        )
        .with(crate::simulate::warnings::Tally.with_filter(LevelFilter::WARN))
}
