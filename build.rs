//! Link the `forge` executable as a position-dependent (non-PIE) program on Linux.
//!
//! Why: a PIE binary of forge's size carries ~55,000 relative relocations that the dynamic loader
//! applies at every start, touching (and copying) about 230 pages before `main` runs: about 1 ms of
//! a 3 ms `forge fmt -check`. Linked at a fixed address they are resolved by the linker instead.
//! Packer's Go binary is non-PIE too. Only the executable's own image loses address
//! randomisation; the stack, heap and shared libraries keep it. The objects stay PIC, so nothing
//! but the final link changes (no dependency is rebuilt).
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
