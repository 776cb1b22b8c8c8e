//! Data sources: values fetched when the build runs (`data.TYPE.NAME.attr`). Which types are
//! fetched, and how, is each one's registry line (`registry::fetch_data`).

pub mod amazon_ami;
pub mod http;
pub mod null;
