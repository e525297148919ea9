use clap::Parser;

fn main() {
    let cli = honor::cli::Cli::parse();
    let code = honor::cli::run(
        cli,
        &mut std::io::stdout().lock(),
        // Not locked: the service logs from other threads.
        &mut std::io::stderr(),
    );
    std::process::exit(code);
}
