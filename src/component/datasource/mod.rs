//! Data sources: values fetched when the build runs (`data.TYPE.NAME.attr`).

pub mod http;
pub mod null;
