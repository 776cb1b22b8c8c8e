//! Communicators: how forge reaches the machine being built. Their arguments sit in the
//! builder's body, so builders flatten [`ssh::Config`] into their own configuration.

pub mod docker;
mod docker_shell;
pub mod none;
mod scp;
mod socks;
pub mod ssh;
pub mod ssh_client;
