//! The types of the spec's UIA bodies.

pub mod auth_data;
pub mod auth_type;
pub mod custom;
pub mod error;
pub mod identifier;
pub mod info;
pub mod params;
pub mod request;
pub mod response;
pub(crate) mod string_enum;
pub mod success;
