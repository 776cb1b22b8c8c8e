//! The secret-store functions (`vault`, `consul_key`, `aws_secretsmanager`,
//! `aws_secretsmanager_raw`): forge never contacts those services, so each is a clear error.

use crate::eval::functions::{Context, FnError};
use crate::eval::value::Value;

fn unreachable_service(name: &str, service: &str) -> Result<Value, FnError> {
    Err(FnError::call(format!(
        "`{name}` needs {service}, which forge does not contact; pass the secret with a sensitive variable instead"
    )))
}

/// `vault(path, key)`.
pub fn vault(_: &Context<'_>, _: &[Value]) -> Result<Value, FnError> {
    unreachable_service("vault", "a Vault server")
}

/// `consul_key(key)`.
pub fn consul_key(_: &Context<'_>, _: &[Value]) -> Result<Value, FnError> {
    unreachable_service("consul_key", "a Consul server")
}

/// `aws_secretsmanager(name, key?)`.
pub fn aws_secretsmanager(_: &Context<'_>, _: &[Value]) -> Result<Value, FnError> {
    unreachable_service("aws_secretsmanager", "AWS Secrets Manager")
}

/// `aws_secretsmanager_raw(name)`.
pub fn aws_secretsmanager_raw(_: &Context<'_>, _: &[Value]) -> Result<Value, FnError> {
    unreachable_service("aws_secretsmanager_raw", "AWS Secrets Manager")
}
