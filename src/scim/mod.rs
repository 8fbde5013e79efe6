//! The SCIM 2.0 protocol as Blink speaks it: pure, I/O-free, and shared by the mock tenant
//! and the provisioning engine.

pub(crate) mod datetime;
pub(crate) mod discovery;
pub(crate) mod error;
pub(crate) mod filter;
pub(crate) mod fold;
pub(crate) mod group;
pub(crate) mod group_discovery;
pub(crate) mod group_filter;
pub(crate) mod group_patch;
pub(crate) mod message;
pub(crate) mod patch;
pub(crate) mod query;
pub(crate) mod schema;
pub(crate) mod user;
mod user_filter;

pub use datetime::{format_millis, parse_millis};
pub use error::{ScimError, ScimType};
pub use filter::Filter;
pub use filter::compile::compile;
pub use filter::eval::matches_json;
pub use filter::parser::{ParseError as FilterParseError, parse};
pub use group::{GROUP_SCHEMA, Group, GroupAttrs, MS_GROUP_SCHEMA, Member, MemberNames};
pub use message::{Request, Response};
pub use patch::{FilterNoMatch, PatchOptions, PatchRequest, patch_user};
pub use schema::UserSchema;
pub use user::{Meta, NoNames, RenderContext, UnknownAttributes, User, UserAttrs};
