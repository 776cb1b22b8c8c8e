//! The `forge` binary: a thin shell around [`forge::cli::main`].
fn main() -> std::process::ExitCode {
    forge::cli::main()
}
