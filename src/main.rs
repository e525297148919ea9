use clap::Parser;

fn main() {
    let cli = honor::cli::Cli::parse();
    let code = honor::cli::run(
        cli,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    std::process::exit(code);
}
