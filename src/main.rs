use clap::Parser;

mod cli;
mod logs;
// The simulator (the ELB model and the baseline) is linked only with feature `simulate`: the daemon library never is.
#[cfg(feature = "simulate")]
mod loadtest;
#[cfg(feature = "simulate")]
mod simulate;

use cli::{Cli, Command};

/// Every watch event and every actor message allocates; mimalloc's per-thread pages keep those allocations
/// cheap and close together (the pod-churn bench runs a quarter faster than on the system allocator).
#[cfg(not(feature = "simulate"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// With the simulator linked, the heap is also counted, so `simulate --json` can weigh the daemon's state.
#[cfg(feature = "simulate")]
#[global_allocator]
static ALLOCATOR: tgsync_loadtest::memory::Counting<mimalloc::MiMalloc> =
    tgsync_loadtest::memory::Counting(mimalloc::MiMalloc);

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    logs::init(&cli.command);
    match cli.command {
        #[cfg(feature = "simulate")]
        Command::Simulate(args) => {
            let outcome = args.run()?;
            args.write_plot(&outcome)?;
            if args.json {
                println!("{}", outcome.to_json()?);
            } else {
                print!("{}", outcome.render());
            }
        }
        #[cfg(feature = "simulate")]
        Command::Loadtest(args) => {
            let report = args.run()?;
            if args.json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                print!("{}", report.render());
            }
        }
        Command::Crd(args) => args.run()?,
        Command::Run(args) => tgsync::controller::run_blocking(args.options()?)?,
    }
    Ok(())
}
