use clap::Parser;
use tgsync::cli::{Cli, Command};
use tgsync::simulate::simulate;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Simulate(args) => {
            let opts = args.options()?;
            let outcome = simulate(&opts);
            if args.json {
                println!("{}", outcome.to_json()?);
            } else {
                print!("{}", outcome.render());
            }
        }
        Command::Crd => print!("{}", tgsync::crd::crd_yaml()?),
    }
    Ok(())
}
