//! Data sources: values fetched when the build runs (`data.TYPE.NAME.attr`).

pub mod amazon_ami;
pub mod http;
pub mod null;
