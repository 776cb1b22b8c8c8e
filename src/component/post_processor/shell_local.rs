//! The `shell-local` post-processor: the provisioner's arguments, run with the artifact.

pub use crate::component::provisioner::shell_local::Config;
