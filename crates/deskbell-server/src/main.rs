use clap::Parser;
use deskbell_server::cli::{Cli, run};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("deskbell: {e}");
            std::process::ExitCode::from(e.exit_code())
        }
    }
}
