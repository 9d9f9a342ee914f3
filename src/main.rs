//! The `wxcc` binary: everything happens in [`wxcc::cli::main`].

fn main() -> std::process::ExitCode {
    wxcc::cli::main()
}
