//! Built-in components (builders, provisioners, post-processors, data sources, communicators):
//! each declares its configuration once, as a typed struct whose field docs become the JSON
//! Schema, the reference docs and the checks of `forge validate`.
//!
//! Architecture Invariant: one registry ([`registry::REGISTRY`]) lists every component, one line
//! each; adding a component touches its own file, one registry line and its fixtures.

pub mod aws;
mod aws_insecure;
pub mod builder;
pub mod communicator;
pub mod datasource;
pub mod declared;
pub mod decode;
pub mod docker_api;
pub mod grammar;
pub mod node;
pub mod post_processor;
pub mod prepare;
pub mod provisioner;
pub mod registry;
pub mod retry;
pub mod runtime;
pub mod schema;
pub mod weak;

pub use node::Node;
pub use prepare::PrepareCtx;
pub use registry::{ComponentDef, ComponentKind, REGISTRY};
